// DynamicEndpoint: one generated resource (the metrics page) that a Connection answers for
// GET/HEAD before the static handler looks at the file system. Implemented in server/ (which
// knows the counters); http/ only calls render(). render() runs on the connection's thread,
// concurrently from many connections, so implementations must be thread-safe; it must not
// block on I/O. The target is matched byte for byte on its path part (before '?').
#pragma once

#include <string>
#include <string_view>

namespace http {

class DynamicEndpoint {
public:
    [[nodiscard]] virtual std::string_view path() const noexcept = 0;
    // Appends the body to `body` (empty on entry) and sets a static content type.
    virtual void render(std::string& body, std::string_view& content_type) const = 0;

protected:
    ~DynamicEndpoint() = default;
};

}  // namespace http
