#include "http/site/rules/cors.hpp"

#include "http/site/rules/header_rules.hpp"

namespace http {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) {
        if (!out.empty()) out.append(", ");
        out.append(s);
    }
    return out;
}

}  // namespace

Cors::Cors(const CorsRule& rule) : methods_(join(rule.methods)), headers_(join(rule.headers)) {
    for (const std::string& o : rule.origins) {
        if (o == "*")
            any_ = true;
        else
            origins_.push_back(o);
    }
    if (rule.max_age.count() > 0) max_age_ = std::to_string(rule.max_age.count());
}

std::string_view Cors::allow_origin(std::string_view origin) const noexcept {
    if (origin.empty()) return {};
    if (any_) return "*";
    for (const std::string& o : origins_)
        if (o == origin) return o;  // the configured copy: it outlives the response
    return {};
}

bool Cors::is_preflight(const Request& req, const CorsFields& f) noexcept {
    return req.method == Method::options && !f.origin.empty() && !f.request_method.empty();
}

void Cors::decorate(const CorsFields& f, Response& res) const {
    if (!enabled()) return;
    res.vary_origin = true;
    const std::string_view allowed = allow_origin(f.origin);
    if (!allowed.empty()) set_extra_header(res, "Access-Control-Allow-Origin", allowed);
}

void Cors::answer_preflight(const CorsFields& f, std::string_view allow, Response& res) const {
    const bool close = res.close;  // as make_error does: the connection's decision stays
    res.reset();
    res.close = close;
    res.status = 204;
    res.allow = allow;
    decorate(f, res);
    if (allow_origin(f.origin).empty()) return;
    set_extra_header(res, "Access-Control-Allow-Methods", methods_);
    if (!headers_.empty()) set_extra_header(res, "Access-Control-Allow-Headers", headers_);
    if (!max_age_.empty()) set_extra_header(res, "Access-Control-Max-Age", max_age_);
}

}  // namespace http
