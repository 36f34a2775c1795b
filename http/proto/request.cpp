#include "http/proto/request.hpp"

namespace http {

void Request::clear() noexcept {
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

}  // namespace http
