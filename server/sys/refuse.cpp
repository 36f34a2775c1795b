#include "server/sys/refuse.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <string_view>

namespace server {
namespace {

constexpr std::string_view over_limit_response =
    "HTTP/1.1 503 Service Unavailable\r\nServer: polyhttpd\r\nContent-Type: text/plain\r\n"
    "Content-Length: 20\r\nConnection: close\r\n\r\nserver at capacity.\n";

}  // namespace

void refuse_at_capacity(int fd) noexcept {
    [[maybe_unused]] const auto n = ::send(fd, over_limit_response.data(),
                                           over_limit_response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(fd);
}

}  // namespace server
