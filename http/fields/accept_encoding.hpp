// Accept-Encoding (RFC 9110 §12.5.3), reduced to what the static handler can offer: may it
// send a precompressed br or gzip sibling? Pure function, no allocation, thread-safe.
#pragma once

#include <string_view>

namespace http {

struct AcceptedCodings {
    bool br = false;
    bool gzip = false;
};

// A coding is acceptable when its own entry (or, failing that, "*") has q > 0. "x-gzip" counts
// as gzip (RFC 9110 §8.4.1.3). A malformed q-value makes its entry unacceptable, so bad input
// falls back to the identity representation, which is always safe to send.
AcceptedCodings parse_accept_encoding(std::string_view header) noexcept;

}  // namespace http
