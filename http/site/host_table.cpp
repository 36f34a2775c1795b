#include "http/site/host_table.hpp"

#include <algorithm>

#include "http/fields/text.hpp"

namespace http {
namespace {

using Entry = std::pair<std::string, std::size_t>;

// What a DNS name (letters, digits, '-', '.', and the '_' some names carry) or an IP literal
// is made of. Anything else (NUL, '/', '@', '%', spaces) names no site: the parser refuses
// most such Hosts already, and this keeps "a.example\0.b.example" from matching
// "*.b.example" whatever reaches us.
bool name_byte(char c, bool literal) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    if (c == '-' || c == '.' || c == '_') return true;
    return literal && (c == ':' || c == '[' || c == ']');
}

}  // namespace

std::string_view normalize_host(std::string_view host, HostBuffer& buf) noexcept {
    const bool literal = !host.empty() && host.front() == '[';
    if (literal) {
        host = host.substr(0, host.find(']') + 1);  // npos + 1 == 0 for an unclosed '['
    } else {
        host = host.substr(0, host.find(':'));
    }
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty() || host.size() > buf.size()) return {};
    for (std::size_t i = 0; i < host.size(); ++i) {
        if (!name_byte(host[i], literal)) return {};
        // An empty label (".a", "a..b", "a.." once the trailing dot is gone) is no name: it
        // must not reach "*.b" through its ".b" suffix. nginx refuses such a Host with 400.
        if (!literal && host[i] == '.' && (i == 0 || host[i - 1] == '.' || i + 1 == host.size()))
            return {};
        buf[i] = ascii_lower(host[i]);
    }
    return {buf.data(), host.size()};
}

void HostTable::add(std::string_view name, std::size_t site) {
    const bool wildcard = name.starts_with("*.");
    if (wildcard) name.remove_prefix(2);
    HostBuffer buf;
    const std::string_view norm = normalize_host(name, buf);
    if (norm.empty()) return;
    std::vector<Entry>& list = wildcard ? suffixes_ : exact_;
    // Kept sorted as it grows (tables are small and built once); upper_bound puts a repeated
    // name after the first, so the first site to claim it keeps it.
    const auto by_name = [](const Entry& a, const Entry& b) { return a.first < b.first; };
    const auto longest_first = [](const Entry& a, const Entry& b) {
        return a.first.size() > b.first.size();
    };
    // A wildcard is kept as the suffix a name below it ends with: ".example.com".
    Entry e{std::string(wildcard ? 1 : 0, '.'), site};
    e.first.append(norm);
    if (wildcard)
        list.insert(std::upper_bound(list.begin(), list.end(), e, longest_first), std::move(e));
    else
        list.insert(std::upper_bound(list.begin(), list.end(), e, by_name), std::move(e));
}

std::size_t HostTable::find(std::string_view host) const noexcept {
    HostBuffer buf;
    const std::string_view name = normalize_host(host, buf);
    if (name.empty()) return npos;
    const auto it =
        std::lower_bound(exact_.begin(), exact_.end(), name,
                         [](const Entry& e, std::string_view n) { return e.first < n; });
    if (it != exact_.end() && it->first == name) return it->second;
    for (const Entry& s : suffixes_)
        if (name.size() > s.first.size() && name.ends_with(s.first)) return s.second;
    return npos;
}

}  // namespace http
