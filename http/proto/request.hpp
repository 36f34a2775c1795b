// Request: what the parser extracted from one request head. Filled by RequestParser,
// read by the Connection and the StaticHandler on the same thread. Strings keep their capacity
// across requests (clear(), not reassignment), so a warm connection does not allocate.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace http {

enum class Method : std::uint8_t {
    get,
    head,
    options,
    // Known methods we do not serve: 405 with Allow.
    post,
    put,
    delete_,
    patch,
    trace,
    connect,
    other_known,
};

struct Request {
    Method method = Method::get;
    std::string_view method_name;    // static storage (llhttp's method table)
    std::string target;              // raw request-target as received
    std::uint8_t version_minor = 1;  // major is always 1 once parsed
    bool keep_alive = true;          // after Connection header and version defaults
    bool expect_continue = false;
    bool has_body = false;             // Content-Length > 0 or chunked
    std::uint64_t content_length = 0;  // when not chunked
    bool chunked = false;
    int host_count = 0;

    // Header values the server uses; empty when absent. Repeated list headers are joined
    // with ", " as RFC 9110 §5.3 permits.
    std::string host;
    std::string range;
    std::string if_match;
    std::string if_none_match;
    std::string if_modified_since;
    std::string if_unmodified_since;
    std::string if_range;
    std::string accept;  // for directory listings: HTML or JSON
    std::string accept_encoding;
    std::string referer;
    std::string user_agent;
    std::string origin;                         // CORS (a site's [cors])
    std::string access_control_request_method;  // a CORS preflight's

    // Called once per request: inline, and every string keeps its capacity.
    void clear() noexcept {
        method = Method::get;
        method_name = {};
        target.clear();
        version_minor = 1;
        keep_alive = true;
        expect_continue = false;
        has_body = false;
        content_length = 0;
        chunked = false;
        host_count = 0;
        for (std::string* s : {&host, &range, &if_match, &if_none_match, &if_modified_since,
                               &if_unmodified_since, &if_range, &accept, &accept_encoding, &referer,
                               &user_agent, &origin, &access_control_request_method}) {
            s->clear();
        }
    }
};

}  // namespace http
