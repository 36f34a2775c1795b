#include "request_oracle.hpp"

#include "fuzz_check.hpp"
#include "http/proto/parser.hpp"

namespace fuzz {

OracleReading read_requests(std::string_view wire, const http::ConnectionLimits& limits, bool eof) {
    OracleReading out;
    http::RequestParser parser(limits.max_head_size, limits.max_target_size);
    http::Request request;
    std::span<const std::byte> rest = std::as_bytes(std::span(wire.data(), wire.size()));
    std::size_t message_start = 0;
    for (;;) {
        const http::ParseResult r = parser.feed(rest, request);
        rest = rest.subspan(r.consumed);
        const std::size_t offset = wire.size() - rest.size();
        switch (r.event) {
            case http::ParseEvent::head:
                out.heads.push_back({std::string(request.method_name), request.target, message_start});
                continue;
            case http::ParseEvent::message_end: message_start = offset; continue;
            case http::ParseEvent::error:
                out.error = true;
                out.error_start = message_start;
                return out;
            case http::ParseEvent::need_more: break;
        }
        fuzz::require(rest.empty(), "the parser asked for more with bytes left over");
        if (eof && parser.finish() == http::ParseEvent::error) {
            out.error = true;
            out.error_start = message_start;
        }
        return out;
    }
}

}  // namespace fuzz
