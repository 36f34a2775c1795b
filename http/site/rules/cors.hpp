// CORS ([cors]): built once per site; its methods are const and run on any connection
// thread, never blocking. Views it puts into a Response point into this object, which the
// site owns and which outlives the response.
//
// A disallowed origin gets no CORS headers at all, and its preflight the plain OPTIONS answer
// (204 with Allow) rather than 403: the browser refuses the request either way, and this is
// what Caddy's and the usual nginx CORS recipes (and Go's rs/cors) answer, so a scanner learns
// nothing a configured origin would not.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "http/proto/request.hpp"
#include "http/proto/response.hpp"

namespace http {

// [cors]: off while origins is empty; "*" alone allows any origin.
struct CorsRule {
    std::vector<std::string> origins;
    std::vector<std::string> methods = {"GET", "HEAD"};
    std::vector<std::string> headers;  // Access-Control-Allow-Headers; empty: none sent
    std::chrono::seconds max_age{0};   // 0: no Access-Control-Max-Age
};

// The request fields CORS reads (the parser's Request does not keep them today).
struct CorsFields {
    std::string_view origin;          // Origin
    std::string_view request_method;  // Access-Control-Request-Method
};

class Cors {
public:
    explicit Cors(const CorsRule& rule);

    [[nodiscard]] bool enabled() const noexcept { return any_ || !origins_.empty(); }

    // The value of Access-Control-Allow-Origin for `origin`: "*" when any origin is allowed,
    // the configured origin equal to it (exact, case-sensitive: browsers serialise origins
    // in lower case), or empty when it is not allowed (or absent).
    [[nodiscard]] std::string_view allow_origin(std::string_view origin) const noexcept;

    // A preflight: OPTIONS carrying both Origin and Access-Control-Request-Method.
    [[nodiscard]] static bool is_preflight(const Request& req, const CorsFields& f) noexcept;

    // Any response, when enabled: Vary: Origin (the answer depends on it whenever CORS is
    // configured) and Access-Control-Allow-Origin for an allowed origin.
    void decorate(const CorsFields& f, Response& res) const;

    // The preflight's 204: for an allowed origin with Allow-Methods, Allow-Headers (when
    // configured) and Max-Age (when non-zero); `allow` is the plain OPTIONS answer's Allow.
    void answer_preflight(const CorsFields& f, std::string_view allow, Response& res) const;

private:
    std::vector<std::string> origins_;
    bool any_ = false;
    std::string methods_;  // joined with ", "
    std::string headers_;
    std::string max_age_;  // decimal seconds; empty: not sent
};

}  // namespace http
