#include "http/site/site.hpp"

#include <utility>

#include "http/proto/target.hpp"
#include "http/site/rules/error_pages.hpp"
#include "http/site/rules/redirect.hpp"

namespace http {
namespace {

// As http::Connection answers OPTIONS and 405 today.
constexpr std::string_view allowed_methods = "GET, HEAD, OPTIONS";

}  // namespace

Site::Site(std::string name, const SiteConfig& cfg, std::shared_ptr<VariantCache> variants)
    : name_(std::move(name)),
      files_(std::in_place, cfg.files, std::move(variants)),
      headers_(cfg.headers),
      redirects_(cfg.redirects),
      cors_(cfg.cors),
      fallback_(cfg.fallback.empty() ? std::string() : encode_path(cfg.fallback)),
      fallback_only_html_(cfg.fallback_only_html) {
    // Configured as paths; handed to the static handler as targets, which it decodes once.
    for (const auto& [status, path] : cfg.error_pages)
        error_pages_.emplace(static_cast<int>(status), encode_path(path));
}

Site::Site(std::string name, int status)
    : name_(std::move(name)), refuse_status_(status), headers_({}), cors_(CorsRule{}) {}

std::unique_ptr<Site> Site::refusing(std::string name, int status) {
    return std::unique_ptr<Site>(new Site(std::move(name), status));  // the constructor is private
}

void Site::handle(const Request& req, Response& res, const CorsFields& cors) const {
    if (refuse_status_ != 0) {
        make_error(res, refuse_status_);
        return;
    }
    if (cors_.enabled() && Cors::is_preflight(req, cors)) {
        cors_.answer_preflight(cors, allowed_methods, res);
        return;
    }
    // Per-thread: handle() runs on many threads at once and must not allocate once warm.
    thread_local std::string path;
    thread_local std::string scratch;
    const bool decoded = decode_target_into(req.target, path, scratch) == TargetError::none;
    if (req.method == Method::options) {
        res.status = 204;
        res.allow = allowed_methods;
    } else if (req.method != Method::get && req.method != Method::head) {
        res.allow = allowed_methods;
        make_error(res, 405);
    } else if (!decoded || !apply_redirects(redirects_, path, req.target, res)) {
        serve(req, decoded ? std::string_view(path) : std::string_view(), res);
    }
    if (decoded) headers_.apply(path, res);
    cors_.decorate(cors, res);
}

// GET and HEAD past the redirects. `path`: decoded, or empty when the target is not
// decodable (the static handler then answers 400).
void Site::serve(const Request& req, std::string_view path, Response& res) const {
    files_->handle(req, res);
    if (res.status == 404 && !fallback_.empty() && !path.empty() &&
        fallback_allowed(path, fallback_only_html_))
        serve_fallback(*files_, fallback_, req, res);
    if (res.status < 400) return;
    if (const auto page = error_pages_.find(res.status); page != error_pages_.end())
        serve_error_page(*files_, page->second, req, res);
}

}  // namespace http
