#include "http/fields/accept_encoding.hpp"

#include <cstddef>

#include "http/fields/text.hpp"

namespace http {
namespace {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). Returns -1 when malformed,
// else whether q > 0 as 1 or 0.
int qvalue_positive(std::string_view q) noexcept {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
    bool positive = q[0] == '1';
    if (q.size() == 1) return positive ? 1 : 0;
    if (q[1] != '.' || q.size() > 5) return -1;
    for (std::size_t i = 2; i < q.size(); ++i) {
        if (q[i] < '0' || q[i] > '9') return -1;
        if (q[0] == '1' && q[i] != '0') return -1;
        if (q[i] != '0') positive = true;
    }
    return positive ? 1 : 0;
}

// Parses the parameters after a coding; only "q" matters. Returns whether the entry is
// acceptable (q absent means 1).
bool entry_acceptable(std::string_view params) noexcept {
    bool acceptable = true;
    while (!params.empty()) {
        const std::size_t semi = params.find(';');
        const std::string_view param = trim_ows(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;  // a bare token: not a q, ignore
        if (!iequals_lower(trim_ows(param.substr(0, eq)), "q")) continue;
        acceptable = qvalue_positive(trim_ows(param.substr(eq + 1))) == 1;
    }
    return acceptable;
}

}  // namespace

AcceptedCodings parse_accept_encoding(std::string_view header) noexcept {
    // -1: not mentioned, 0: refused, 1: accepted.
    int br = -1, gzip = -1, star = -1;
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        std::string_view entry = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        const std::size_t semi = entry.find(';');
        const std::string_view coding = trim_ows(entry.substr(0, semi));
        const bool ok = semi == std::string_view::npos || entry_acceptable(entry.substr(semi + 1));
        const int v = ok ? 1 : 0;
        // When a coding is listed twice, a refusal wins: the cautious reading.
        auto merge = [v](int& slot) { slot = slot == -1 ? v : (slot < v ? slot : v); };
        if (iequals_lower(coding, "br"))
            merge(br);
        else if (iequals_lower(coding, "gzip") || iequals_lower(coding, "x-gzip"))
            merge(gzip);
        else if (coding == "*")
            merge(star);
    }
    AcceptedCodings out;
    out.br = br == -1 ? star == 1 : br == 1;
    out.gzip = gzip == -1 ? star == 1 : gzip == 1;
    return out;
}

}  // namespace http
