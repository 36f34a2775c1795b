// Refusing a connection the server cannot hold (an event loop at --max-connections that had
// already accepted it, or a descriptor select() cannot watch): a best-effort 503 and close,
// never blocking. Any thread.
#pragma once

namespace server {

// Sends the 503 with MSG_DONTWAIT (what does not fit the socket buffer is dropped) and
// closes fd.
void refuse_at_capacity(int fd) noexcept;

}  // namespace server
