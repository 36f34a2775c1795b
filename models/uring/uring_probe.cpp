#include "models/uring/uring_probe.hpp"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <system_error>

#include "base/unique_fd.hpp"
#include "models/uring/uring_ring.hpp"

namespace server {
namespace {

std::string setup_failure(int err) {
    std::string why = std::string("io_uring_setup failed: ") + std::strerror(err);
    if (err == EPERM)
        why += " (disabled by sysctl kernel.io_uring_disabled, or a seccomp filter)";
    else if (err == ENOSYS)
        why += " (kernel without io_uring, or a seccomp filter)";
    return why;
}

std::string missing_opcode(io_uring& ring) {
    struct Needed {
        int op;
        const char* name;
    };
    static constexpr Needed needed[] = {
        {IORING_OP_ACCEPT, "ACCEPT"},     {IORING_OP_RECV, "RECV"},
        {IORING_OP_SEND, "SEND"},         {IORING_OP_SPLICE, "SPLICE"},
        {IORING_OP_POLL_ADD, "POLL_ADD"}, {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
    };
    const std::unique_ptr<io_uring_probe, void (*)(io_uring_probe*)> probe(
        io_uring_get_probe_ring(&ring), io_uring_free_probe);
    if (!probe) return "io_uring opcode probe failed (kernel older than 5.6)";
    for (const Needed& n : needed)
        if (!io_uring_opcode_supported(probe.get(), n.op))
            return std::string("io_uring lacks IORING_OP_") + n.name;
    return {};
}

// Multishot receive into provided buffers (Linux 6.0) is what the model is built on; an
// older kernel rejects the flag with EINVAL. Tried on a socket pair: one byte must arrive
// with IORING_CQE_F_MORE (the receive stays armed).
std::string multishot_recv_failure(Ring& ring) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return std::string("socketpair: ") + std::strerror(errno);
    const poly::UniqueFd a(sv[0]), b(sv[1]);
    io_uring_sqe* s = ring.sqe();
    io_uring_prep_recv_multishot(s, a.get(), nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = BufferRing::group;
    ring.submit();
    if (::write(b.get(), "x", 1) != 1) return std::string("write: ") + std::strerror(errno);
    io_uring_cqe* cqe = nullptr;
    if (const int rc = io_uring_wait_cqe(ring.get(), &cqe); rc < 0)
        return std::string("io_uring_wait_cqe: ") + std::strerror(-rc);
    const int res = cqe->res;
    const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    io_uring_cqe_seen(ring.get(), cqe);
    if (res < 0)
        return std::string("io_uring multishot receive failed: ") + std::strerror(-res) +
               " (needs Linux 6.0)";
    if (res != 1 || !more) return "io_uring multishot receive did not stay armed (needs Linux 6.0)";
    return {};
}

std::string probe() {
    if (const char* sim = std::getenv("POLYHTTPD_URING_UNAVAILABLE");
        sim != nullptr && *sim != '\0')
        return std::string("simulated by POLYHTTPD_URING_UNAVAILABLE: ") + sim;
    try {
        Ring ring(8);
        if ((ring.get()->features & IORING_FEAT_EXT_ARG) == 0)
            return "io_uring lacks IORING_FEAT_EXT_ARG (needs Linux 5.11)";
        if (std::string why = missing_opcode(*ring.get()); !why.empty()) return why;
        BufferRing buffers(ring, {2, 64});
        return multishot_recv_failure(ring);
    } catch (const std::system_error& e) {
        if (std::string(e.what()).rfind("io_uring_setup", 0) == 0)
            return setup_failure(e.code().value());
        return std::string("io_uring: ") + e.what() + " (provided-buffer rings need Linux 5.19)";
    }
}

}  // namespace

const std::string& uring_unavailable_reason() {
    static const std::string reason = probe();
    return reason;
}

}  // namespace server
