// Moving bytes between a socket and an http::Connection, shared by both drivers. These make
// exactly one syscall each (EINTR retried) and never block on their own account: on a
// blocking socket the kernel may block, on a non-blocking one they report would_block.
#pragma once

#include <sys/types.h>

#include <span>

#include "server/conn/session.hpp"

namespace server {

enum class IoStatus { progress, would_block, closed, error };

struct IoResult {
    IoStatus status = IoStatus::progress;
    std::size_t bytes = 0;
    int error = 0;      // errno for IoStatus::error
    bool full = false;  // a receive filled the space it had: more may be queued
};

// recv() into s.read_space() and report to s.on_read(); a peer FIN is reported as on_read(0)
// and IoStatus::closed.
IoResult receive_into(int fd, Session& s);

// The same for a driver with a per-thread buffer: a plain session's bytes land in `scratch`
// and are handed over with on_data() (an idle connection then owns no input buffer); a TLS
// session receives into its own space (ciphertext is copied into the stream anyway).
IoResult receive_via(int fd, Session& s, std::span<std::byte> scratch);

// Sends s.next_output() once: send() with MSG_NOSIGNAL (MSG_MORE while another piece
// follows, so a header does not leave alone), sendmsg() when the output has a tail (head and
// in-memory body in one call, no copy), or sendfile() for a file piece, then
// s.on_written(). A file that shrank under us (sendfile returns 0) is an error: the
// promised Content-Length can no longer be honoured, so the connection must close.
IoResult send_from(int fd, Session& s);

}  // namespace server
