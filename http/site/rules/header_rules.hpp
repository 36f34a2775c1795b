// Header rules ([[headers]]): compiled once per site; apply() runs per request on any
// connection thread (const, never blocks). The Response receives views into the rules, which
// the site owns and which outlive the response (the connection holds the site's snapshot).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/proto/response.hpp"
#include "http/site/rules/glob.hpp"

namespace http {

// [[headers]]: `set` on responses whose path matches the glob `match` (glob.hpp). Values were
// checked when the configuration was loaded (no CR, LF, NUL; no name the server owns).
struct HeaderRule {
    std::string match;
    std::vector<std::pair<std::string, std::string>> set;  // name, value; in file order
};

// Sets `name` in res.extra_headers: replaces the value of an entry with the same name (ASCII
// case-insensitive), else appends. Both views must outlive the response.
void set_extra_header(Response& res, std::string_view name, std::string_view value);

class HeaderRules {
public:
    explicit HeaderRules(const std::vector<HeaderRule>& rules);

    // Every rule whose glob matches `path` (decoded, normalised), in order: a later value for
    // a name replaces an earlier one. Only for the statuses nginx's add_header uses without
    // `always` (2xx, 3xx): a year's Cache-Control on an asset path must never make a cache
    // keep that path's 404.
    void apply(std::string_view path, Response& res) const;

    [[nodiscard]] bool empty() const noexcept { return rules_.empty(); }

private:
    struct Compiled {
        Glob glob;
        HeaderRule rule;
    };
    std::vector<Compiled> rules_;
};

}  // namespace http
