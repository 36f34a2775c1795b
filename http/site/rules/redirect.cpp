#include "http/site/rules/redirect.hpp"

#include "http/proto/target.hpp"

namespace http {
namespace {

// The rest of `path` after `rule.from`, or npos when the rule does not match.
std::size_t match_rest(const RedirectRule& rule, std::string_view path) noexcept {
    const std::string_view from = rule.from;
    if (from.empty()) return std::string_view::npos;
    if (path == from) return path.size();
    if (from.back() == '/' && path.starts_with(from)) return from.size();
    return std::string_view::npos;
}

}  // namespace

bool apply_redirects(std::span<const RedirectRule> rules, std::string_view path,
                     std::string_view raw_target, Response& res) {
    for (const RedirectRule& rule : rules) {
        const std::size_t at = match_rest(rule, path);
        if (at == std::string_view::npos) continue;
        make_error(res, static_cast<int>(rule.status));
        std::string& loc = res.location;
        // An empty `to` would make the rest a relative reference: send the root instead.
        append_uri_safe(loc, rule.to.empty() ? std::string_view("/") : rule.to);
        std::string_view rest = path.substr(at);
        // A normalised path has no empty segment, so rest never starts with '/'; strip any
        // anyway, so "/" + "/evil.example" can never become "//evil.example".
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (!rest.empty() && !loc.empty() && loc.back() != '/' && rule.from.back() == '/')
            loc.push_back('/');
        loc.append(encode_path(rest));
        if (const std::string_view query = query_of(raw_target); !query.empty()) {
            loc.push_back(rule.to.find('?') == std::string::npos ? '?' : '&');
            append_uri_safe(loc, query);
        }
        return true;
    }
    return false;
}

}  // namespace http
