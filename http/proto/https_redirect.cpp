#include "http/proto/https_redirect.hpp"

#include <string_view>

#include "base/decimal.hpp"
#include "http/proto/target.hpp"

namespace http {
namespace {

constexpr std::uint16_t https_default_port = 443;

// "[::1]:8080" -> "[::1]", "example.com:80" -> "example.com"; valid_host() has already
// refused anything with userinfo or a second ':' outside brackets.
std::string_view without_port(std::string_view host) noexcept {
    if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
    return host.substr(0, host.find(':'));
}

// Copies path and query as sent. The parser already refused what cannot be in a target;
// escaping the rest of the non-visible bytes is what keeps the Location field safe should
// the parser ever be more lenient.
void append_target(std::string& out, std::string_view rest) {
    constexpr char hex[] = "0123456789ABCDEF";
    rest = rest.substr(0, rest.find('#'));  // a fragment is the client's, not the resource's
    if (rest.empty() || rest.front() != '/') out.push_back('/');  // "http://h?q" -> "/?q"
    for (const char c : rest) {
        const auto b = static_cast<unsigned char>(c);
        if (b > 0x20 && b < 0x7f) {
            out.push_back(c);
            continue;
        }
        out.push_back('%');
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xf]);
    }
}

}  // namespace

HttpsRedirect https_location(const Request& req, std::uint16_t port, std::string& out) {
    out.clear();
    const std::string_view target = req.target;
    std::string_view host;
    std::string_view rest;
    if (absolute_form_authority(target, host)) {
        rest = target.substr(static_cast<std::size_t>(host.data() - target.data()) + host.size());
    } else if (!target.empty() && target.front() == '/') {
        host = req.host;
        rest = target;
    } else {
        return HttpsRedirect::not_a_resource;
    }
    host = without_port(host);
    if (host.empty()) return HttpsRedirect::no_host;
    out.append("https://").append(host);
    if (port != https_default_port) {
        out.push_back(':');
        poly::append_decimal(out, port);
    }
    append_target(out, rest);
    return HttpsRedirect::redirected;
}

HttpsRedirect make_https_redirect(const Request& req, std::uint16_t port, Response& res) {
    std::string location;
    const HttpsRedirect r = https_location(req, port, location);
    if (r == HttpsRedirect::no_host) make_error(res, 400);
    if (r != HttpsRedirect::redirected) return r;
    const bool close = res.close;
    res.reset();
    res.close = close;
    res.status = 308;
    res.content_type = "text/plain; charset=utf-8";
    res.add_text("Moved to ");
    res.add_text(location);
    res.add_text("\n");
    res.location = std::move(location);
    return r;
}

}  // namespace http
