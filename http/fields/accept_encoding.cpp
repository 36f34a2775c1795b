#include "http/fields/accept_encoding.hpp"

#include <cstddef>

#include "http/fields/text.hpp"

namespace http {
namespace {

// The slot of a coding token: 0..3 a Coding, 4 the wildcard, -1 anything else.
int slot_of(std::string_view coding) noexcept {
    if (coding == "*") return 4;
    if (coding.empty()) return -1;
    const std::optional<Coding> c = coding_from_name(coding);
    return c ? static_cast<int>(*c) : iequals_lower(coding, "identity") ? 0 : -1;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths. A malformed
// value reads as 0: the entry refuses its coding, the cautious reading of bad input.
int parse_qvalue(std::string_view q) noexcept {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return 0;
    if (q.size() == 1) return q[0] == '1' ? 1000 : 0;
    if (q[1] != '.' || q.size() > 5) return 0;
    int value = 0;
    int scale = 100;
    for (std::size_t i = 2; i < q.size(); ++i, scale /= 10) {
        if (q[i] < '0' || q[i] > '9') return 0;
        value += (q[i] - '0') * scale;
    }
    if (q[0] == '1') return value == 0 ? 1000 : 0;
    return value;
}

}  // namespace

// The q of one entry's parameters (after the coding's ';'); absent means 1000. Other
// parameters are ignored.
int entry_quality(std::string_view params) noexcept {
    int q = 1000;
    while (!params.empty()) {
        const std::size_t semi = params.find(';');
        const std::string_view param = trim_ows(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;  // a bare token: not a q, ignore
        if (!iequals_lower(trim_ows(param.substr(0, eq)), "q")) continue;
        q = parse_qvalue(trim_ows(param.substr(eq + 1)));
    }
    return q;
}

std::string_view coding_name(Coding c) noexcept {
    switch (c) {
        case Coding::gzip: return "gzip";
        case Coding::br: return "br";
        case Coding::zstd: return "zstd";
        case Coding::identity: break;
    }
    return {};
}

std::optional<Coding> coding_from_name(std::string_view name) noexcept {
    if (iequals_lower(name, "gzip") || iequals_lower(name, "x-gzip")) return Coding::gzip;
    if (iequals_lower(name, "br")) return Coding::br;
    if (iequals_lower(name, "zstd")) return Coding::zstd;
    return std::nullopt;
}

AcceptEncoding AcceptEncoding::parse(std::string_view header) noexcept {
    AcceptEncoding out;
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        const std::string_view entry = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        const std::size_t semi = entry.find(';');
        const int slot = slot_of(trim_ows(entry.substr(0, semi)));
        if (slot < 0) continue;
        const int q = semi == std::string_view::npos ? 1000 : entry_quality(entry.substr(semi + 1));
        // Listed twice: the lower q wins, the cautious reading (a refusal is never overridden).
        std::int16_t& s = out.q_[slot];
        if (s < 0 || q < s) s = static_cast<std::int16_t>(q);
    }
    return out;
}

int AcceptEncoding::quality(Coding c) const noexcept {
    if (q_[index(c)] >= 0) return q_[index(c)];
    if (c == Coding::identity) return q_[star] == 0 ? 0 : 1000;
    return q_[star] >= 0 ? q_[star] : 0;
}

Coding negotiate_encoding(std::string_view header, std::span<const Coding> offered) noexcept {
    if (header.empty() || offered.empty()) return Coding::identity;
    const AcceptEncoding ae = AcceptEncoding::parse(header);
    Coding best = Coding::identity;
    int best_q = 0;
    for (const Coding c : offered) {
        const int q = c == Coding::identity ? 0 : ae.quality(c);
        if (q > best_q) {
            best = c;
            best_q = q;
        }
    }
    if (ae.names(Coding::identity) && ae.quality(Coding::identity) > best_q)
        return Coding::identity;
    return best;
}

AcceptedCodings parse_accept_encoding(std::string_view header) noexcept {
    const AcceptEncoding ae = AcceptEncoding::parse(header);
    return {ae.quality(Coding::br) > 0, ae.quality(Coding::gzip) > 0};
}

}  // namespace http
