// Moving bytes between a socket and an http::Connection, shared by both drivers. These make
// exactly one syscall each (EINTR retried) and never block on their own account: on a
// blocking socket the kernel may block, on a non-blocking one they report would_block.
#pragma once

#include <sys/types.h>

#include "http/connection.hpp"

namespace server {

enum class IoStatus { progress, would_block, closed, error };

struct IoResult {
    IoStatus status = IoStatus::progress;
    std::size_t bytes = 0;
    int error = 0;  // errno for IoStatus::error
};

// recv() into conn.read_space() and report to conn.on_read(); a peer FIN is reported as
// on_read(0) and IoStatus::closed.
IoResult receive_into(int fd, http::Connection& conn);

// Sends conn.next_output() once: send() with MSG_NOSIGNAL (MSG_MORE while another piece
// follows, so a header does not leave alone) or sendfile() for a file piece, then
// conn.on_written(). A file that shrank under us (sendfile returns 0) is an error: the
// promised Content-Length can no longer be honoured, so the connection must close.
IoResult send_from(int fd, http::Connection& conn);

}  // namespace server
