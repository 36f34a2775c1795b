#include "accept_once.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "listener.hpp"
#include "syscall.hpp"
#include "transfer.hpp"

namespace server {

Accepted accept_once(int listen_fd, Nodelay nodelay) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = retry_eintr([&] {
        return ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
    });
    if (fd < 0) return {};
    if (nodelay == Nodelay::now) tune_accepted_socket(fd);
    return {poly::UniqueFd(fd), format_address(&ss)};
}

bool out_of_resources(int err) noexcept {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

}  // namespace server
