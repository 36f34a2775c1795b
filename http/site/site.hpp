// Site: one web root and the rules a static site adds around it (issue 16). Built at startup
// or on reload (the constructor opens the root and throws std::system_error when it cannot);
// handle() is const and thread-safe: one Site serves every connection of every model, and
// blocks only as the StaticHandler does (on the disk). The Response it fills holds views into
// the Site (header rules, CORS values), so the Site must outlive the response: the
// connection holds the runtime snapshot that owns it.
//
// The order of one request, as nginx and Caddy users expect it:
//   1. a CORS preflight is answered (204) before anything else;
//   2. other OPTIONS: 204 with Allow; methods other than GET and HEAD: 405 with Allow;
//   3. the first matching redirect answers;
//   4. the static handler; a 404 with a fallback serves the fallback; a 4xx or 5xx with an
//      error page gets that page's body under the original status;
//   5. header rules (2xx and 3xx only, see header_rules.hpp) and CORS headers (every
//      response, so that an allowed origin can read an error too).
// Header rules match the requested path, not the file finally served (a fallback's
// index.html): Caddy's header directive does the same, and it keeps a rule's effect visible
// from the URL alone.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/site/rules/cors.hpp"
#include "http/site/rules/header_rules.hpp"
#include "http/site/site_config.hpp"
#include "http/static/static_handler.hpp"

namespace http {

class Site {
public:
    // `name`: how the access log names the site (its first host, or "default"). `variants`:
    // the compressed-variant cache the table's sites share (null: the site's own).
    Site(std::string name, const SiteConfig& cfg,
         std::shared_ptr<VariantCache> variants = nullptr);

    // A site that answers every request with `status` and serves no file (421 for a Host no
    // site claims under strict_hosts).
    static std::unique_ptr<Site> refusing(std::string name, int status);

    // Responses hold views into the site's strings: it never moves once built.
    Site(const Site&) = delete;
    Site& operator=(const Site&) = delete;

    // Any method. `cors`: the request's Origin and Access-Control-Request-Method.
    void handle(const Request& req, Response& res, const CorsFields& cors = {}) const;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    // The site's files; null for a refusing site.
    [[nodiscard]] const StaticHandler* files() const noexcept {
        return files_ ? &*files_ : nullptr;
    }

private:
    Site(std::string name, int status);
    void serve(const Request& req, std::string_view path, Response& res) const;

    std::string name_;
    int refuse_status_ = 0;  // non-zero: every request gets this status
    std::optional<StaticHandler> files_;
    HeaderRules headers_;
    std::vector<RedirectRule> redirects_;
    Cors cors_;
    std::map<int, std::string> error_pages_;  // status -> encoded target
    std::string fallback_;                    // encoded target; empty: off
    bool fallback_only_html_ = false;
};

}  // namespace http
