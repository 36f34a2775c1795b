// --redirect-https: what a plain-HTTP listener answers instead of serving. Called by
// Connection on its own thread, once per request head on a plain transport; pure (no I/O,
// no clock), never blocks, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "http/proto/request.hpp"
#include "http/proto/response.hpp"

namespace http {

enum class HttpsRedirect : std::uint8_t {
    redirected,      // res is a 308 to the https URL
    no_host,         // res is a 400: the request names no host to redirect to
    not_a_resource,  // "OPTIONS *", CONNECT's authority-form: res untouched, answer as usual
};

// The https URL of the request: "https://" + its host without the port + ":port" unless 443
// + the target's path and query exactly as received (percent-encoding kept, a fragment
// dropped). The host is the absolute-form target's authority when there is one (RFC 9112
// §3.2.2: it wins over Host), else the Host field. Bytes that may not appear in a field value
// unescaped (controls, space, non-ASCII) are percent-encoded, so `out` is always safe as a
// Location value. Returns no_host / not_a_resource (and leaves `out` empty) as above.
HttpsRedirect https_location(const Request& req, std::uint16_t port, std::string& out);

// Makes `res` the answer to `req` on a plain listener under --redirect-https: 308 Permanent
// Redirect (method and body kept, unlike 301) with Location and a one-line text/plain body
// naming it; or 400 when there is no host. A Host-less request (HTTP/1.0) gets 400, not a
// redirect to the listener's address: certificates name hosts, so a browser would refuse an
// https://192.0.2.1/ anyway, and nginx without server_name has no better name either.
HttpsRedirect make_https_redirect(const Request& req, std::uint16_t port, Response& res);

}  // namespace http
