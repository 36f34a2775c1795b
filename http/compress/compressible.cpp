#include "http/compress/compressible.hpp"

#include <cstddef>

#include "http/fields/text.hpp"

namespace http {
bool media_type_matches(std::string_view content_type,
                        std::span<const std::string> patterns) noexcept {
    const std::string_view type = trim_ows(content_type.substr(0, content_type.find(';')));
    const std::size_t slash = type.find('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    const std::string_view top = type.substr(0, slash + 1);  // "text/"
    for (const std::string& p : patterns) {
        const std::string_view pat = p;
        if (pat.size() == top.size() + 1 && pat.back() == '*' &&
            iequals(pat.substr(0, top.size()), top))
            return true;
        if (iequals(pat, type)) return true;
    }
    return false;
}

bool compressible(const CompressRule& rule, std::string_view content_type,
                  std::uint64_t size) noexcept {
    return !rule.offered.empty() && size >= rule.min_size && size <= rule.max_size &&
           media_type_matches(content_type, rule.types);
}

}  // namespace http
