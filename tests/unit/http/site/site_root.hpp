// A web root for the site pipeline tests: an SPA's index, assets, error pages, a directory
// without index, and files outside the root that error pages and fallbacks try to reach.
#pragma once

#include <string>
#include <string_view>

#include "http/proto/request.hpp"
#include "http/site/site_config.hpp"
#include "unit/http/static_site.hpp"
#include "unit/http/temp_root.hpp"

namespace test {

inline void build_spa(const TempRoot& t) {
    t.file("outside/secret.html", "SECRET");
    t.file("root/index.html", "<h1>app</h1>\n");
    t.file("root/404.html", "<p>not here</p>\n");
    t.file("root/500.html", "<p>broken</p>\n");
    t.dir("root/assets");
    t.file("root/assets/app.css", "body{}\n");
    t.file("root/assets/app.js", "let a = 1;\n");
    t.dir("root/private");  // no index: 403
    t.dir("root/errors");
    t.link("../../outside/secret.html", "root/errors/out.html");
    t.file("root/.hidden.html", "hidden");
}

inline http::SiteConfig spa_config(const TempRoot& t) {
    http::SiteConfig cfg;
    cfg.files = site_config(t);
    return cfg;
}

inline http::Request request(std::string_view target, http::Method m = http::Method::get) {
    return make_request(target, m);
}

inline std::string_view header(const http::Response& res, std::string_view name) {
    for (const auto& [n, v] : res.extra_headers)
        if (n == name) return v;
    return {};
}

}  // namespace test
