// The rules of a static site's values (site_rules.hpp), and what a reload changes in them.
#include "config/site_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "config/options.hpp"

namespace config::rules {
namespace {

constexpr std::size_t shown_max = 80;  // a message quotes no more of a value

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }

bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), is_control);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

// The segments between slashes, as a request path has them.
bool has_segment(std::string_view path, std::string_view segment) {
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = path.find('/', start);
        if (path.substr(start, slash - start) == segment) return true;
        if (slash == std::string_view::npos) return false;
        start = slash + 1;
    }
}

// A DNS name (or an IPv4 address): labels of letters, digits, '-' and '_' (seen in real
// names), 1..63 bytes each, 253 in all; no label begins or ends with '-'.
bool is_dns_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = name.find('.', start);
        const std::string_view label = name.substr(start, dot - start);
        const bool chars = std::all_of(label.begin(), label.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
        if (label.empty() || label.size() > 63 || !chars || label.front() == '-' ||
            label.back() == '-')
            return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

bool is_v6_literal(std::string_view host) {
    if (host.size() < 3 || host.front() != '[' || host.back() != ']') return false;
    in6_addr addr{};
    return inet_pton(AF_INET6, std::string(host.substr(1, host.size() - 2)).c_str(), &addr) == 1;
}

bool is_port(std::string_view text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    const unsigned long port = std::stoul(std::string(text));
    return port >= 1 && port <= 65535;
}

}  // namespace

std::string escaped(std::string_view text) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (is_control(c))
            out += std::string("\\x") + hex[byte >> 4U] + hex[byte & 0xFU];
        else
            out += c;
    }
    return out;
}

std::string shown(std::string_view text) {
    std::string out(1, '\'');
    out += escaped(text.substr(0, shown_max));
    return out + (text.size() > shown_max ? "...'" : "'");
}

bool is_token(std::string_view text) {
    constexpr std::string_view marks = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               marks.find(c) != std::string_view::npos;
    });
}

Result check_header_name(std::string_view name) {
    if (!is_token(name))
        return shown(name) + " is not a header name (letters, digits and !#$%&'*+-.^_`|~)";
    const std::string low = lowered(name);
    for (const std::string_view owned : owned_headers) {
        if (owned.ends_with('-') ? low.starts_with(owned) : low == owned)
            return shown(name) +
                   (owned.ends_with('-') ? " is [cors]'s to send" : " is set by polyhttpd itself");
    }
    return std::nullopt;
}

Result check_header_value(std::string_view value) {
    if (value.empty()) return std::string("an empty value (leave the header out to send none)");
    if (value.find_first_of("\r\n") != std::string_view::npos)
        return shown(value) + " holds CR or LF (it would split the response)";
    if (std::any_of(value.begin(), value.end(), [](char c) { return c != '\t' && is_control(c); }))
        return shown(value) + " holds a control byte (only tab is allowed)";
    return std::nullopt;
}

Result check_glob(std::string_view glob) {
    if (glob.empty()) return std::string("an empty pattern");
    if (has_control(glob)) return shown(glob) + " holds a control byte";
    if (glob.front() != '/' && glob.front() != '*')
        return shown(glob) + " must start with '/' (a path) or '*' (a file name, as *.woff2)";
    if (glob.front() == '*' && glob.find('/') != std::string_view::npos)
        return shown(glob) + ": a file-name pattern has no '/' (for a path, start with '/')";
    if (has_segment(glob, "..") || has_segment(glob, "."))
        return shown(glob) + " has a '.' or '..' segment, which no request path has";
    for (std::size_t at = glob.find("**"); at != std::string_view::npos;
         at = glob.find("**", at + 2)) {
        const bool starts = at == 0 || glob[at - 1] == '/';
        const bool ends = at + 2 == glob.size() || glob[at + 2] == '/';
        if (!starts || !ends || (at == 0 && glob.size() == 2))
            return shown(glob) + ": '**' stands alone between slashes, as in /assets/**";
    }
    return std::nullopt;
}

Result check_root_path(std::string_view path) {
    if (path.empty() || path.front() != '/')
        return shown(path) + " must start with '/' (a file in the root, as /404.html)";
    if (path.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
        return shown(path) + " holds NUL, CR or LF";
    if (has_segment(path, ".."))
        return shown(path) + " has a '..' segment (the file is inside the root)";
    return std::nullopt;
}

Result check_redirect_from(std::string_view from) {
    if (from.empty() || from.front() != '/') return shown(from) + " must start with '/'";
    if (has_control(from)) return shown(from) + " holds a control byte";
    if (from.find_first_of("?#") != std::string_view::npos)
        return shown(from) + " is a path only (the request's query string is kept)";
    if (from.find('*') != std::string_view::npos)
        return shown(from) + ": no '*'; a prefix ends in '/' (\"/blog/\" redirects all below)";
    if (has_segment(from, "..") || has_segment(from, "."))
        return shown(from) + " has a '.' or '..' segment, which no request path has";
    return std::nullopt;
}

Result check_redirect_to(std::string_view to, bool prefix) {
    if (to.empty()) return std::string("an empty target");
    if (std::any_of(to.begin(), to.end(), [](char c) { return c == ' ' || is_control(c); }))
        return shown(to) + " holds a space or a control byte (percent-encode it: %20)";
    if (to.find('\\') != std::string_view::npos)
        return shown(to) + " holds '\\', which browsers read as '/'";
    if (to.starts_with("//"))
        return shown(to) + " names another host to browsers; write the URL (https://host/...)";
    const std::string low = lowered(to.substr(0, 8));
    const std::size_t scheme = low.starts_with("http://") ? 7 : low.starts_with("https://") ? 8 : 0;
    if (scheme == 0 && to.front() != '/')
        return shown(to) + " must be a path (/new) or an http:// or https:// URL";
    if (scheme != 0) {
        const std::string_view authority =
            to.substr(scheme, to.find_first_of("/?#", scheme) - scheme);
        if (authority.empty() || authority.find('@') != std::string_view::npos)
            return shown(to) + " names no host (or hides it after '@')";
    }
    if (prefix && !to.ends_with('/'))
        return shown(to) + " must end in '/' as 'from' does (the rest of the path is appended)";
    return std::nullopt;
}

Result normalize_origin(std::string& origin) {
    if (origin == "*") return std::nullopt;
    origin = lowered(origin);
    const std::size_t scheme = origin.starts_with("http://")    ? 7
                               : origin.starts_with("https://") ? 8
                                                                : 0;
    const std::string_view rest = std::string_view(origin).substr(scheme);
    std::size_t colon = rest.rfind(':');
    if (rest.starts_with('[')) {
        colon = rest.find("]:");
        if (colon != std::string_view::npos) ++colon;
    }
    const std::string_view host = rest.substr(0, colon);
    const bool port_ok = colon == std::string_view::npos || is_port(rest.substr(colon + 1));
    if (scheme != 0 && rest.find('/') != std::string_view::npos)
        return shown(origin) + " has a path; an origin is scheme://host[:port], no '/' after";
    if (scheme == 0 || !port_ok || !(is_dns_name(host) || is_v6_literal(host)))
        return shown(origin) +
               " is not an origin (\"*\" or http(s)://host[:port], as https://app.example)";
    return std::nullopt;
}

Result normalize_host(std::string& host) {
    host = lowered(host);
    if (host == "*")
        return std::string("'*' alone is no host name: the top level is the site for any other");
    if (is_v6_literal(host)) return std::nullopt;
    if (host.ends_with('.'))
        return shown(host) + " ends with '.'; Host is compared without it (write it without)";
    if (host.find(':') != std::string::npos)
        return shown(host) + " has a port; Host is compared without it (write the name only)";
    const std::string_view name =
        host.starts_with("*.") ? std::string_view(host).substr(2) : std::string_view(host);
    if (!is_dns_name(name))
        return shown(host) +
               " is not a host name (letters, digits, '-' and '.'; \"*.\" only in front)";
    return std::nullopt;
}

Result check_media_range(std::string_view range) {
    const std::size_t slash = range.find('/');
    const std::string_view type = range.substr(0, slash);
    const std::string_view sub = slash == std::string_view::npos ? "" : range.substr(slash + 1);
    if (range.find(';') != std::string_view::npos)
        return shown(range) + " has parameters; give the type alone (text/html)";
    if (lowered(range) != range)
        return shown(range) + ": media types are written in lower case here";
    if (!is_token(type) || type == "*" || !(sub == "*" || is_token(sub)) ||
        sub.find('/') != std::string_view::npos)
        return shown(range) + " is not a media type (type/subtype or type/*, as text/css)";
    return std::nullopt;
}

}  // namespace config::rules

namespace config {
namespace {

// "headers: 1 -> 2 rules" when the count changed, "headers changed" when only the contents.
template <typename T>
void count_change(const T& from, const T& to, const std::string& what, std::string_view unit,
                  std::vector<std::string>& out) {
    if (from.size() != to.size())
        out.push_back(what + ": " + std::to_string(from.size()) + " -> " +
                      std::to_string(to.size()) + " " + std::string(unit));
    else if (from != to)
        out.push_back(what + " changed");
}

void tables_changed(const Config& from, const Config& to, const std::string& prefix,
                    std::vector<std::string>& out) {
    count_change(from.error_pages, to.error_pages, prefix + "error-pages", "pages", out);
    count_change(from.headers, to.headers, prefix + "headers", "rules", out);
    count_change(from.redirects, to.redirects, prefix + "redirect", "rules", out);
    if (from.cors != to.cors) out.push_back(prefix + "cors changed");
}

}  // namespace

std::vector<std::string> table_changes(const Config& running, const Config& fresh) {
    std::vector<std::string> out;
    tables_changed(running, fresh, "", out);
    if (running.sites.size() != fresh.sites.size())
        out.push_back("sites: " + std::to_string(running.sites.size()) + " -> " +
                      std::to_string(fresh.sites.size()));
    for (std::size_t i = 0; i < std::min(running.sites.size(), fresh.sites.size()); ++i) {
        const Site &from = running.sites[i], &to = fresh.sites[i];
        std::string name = "site[" + std::to_string(i + 1) + "]";
        if (from.hosts != to.hosts)
            out.push_back(name + " hosts: '" + join(from.hosts, ",") + "' -> '" +
                          join(to.hosts, ",") + "'");
        name += " (" + to.hosts.front() + ")";
        // A site's own values and those it inherits alike: either way it serves with them.
        for (const Change& c : changes(from.config, to.config, Apply::live)) {
            const auto opt = std::find_if(options().begin(), options().end(),
                                          [&](const Option& o) { return o.name == c.name; });
            if (opt->site)
                out.push_back(name + " " + std::string(c.name) + ": '" + c.from + "' -> '" + c.to +
                              "'");
        }
        tables_changed(from.config, to.config, name + " ", out);
    }
    return out;
}

}  // namespace config
