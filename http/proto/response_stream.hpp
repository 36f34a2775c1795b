// A response body produced while it is sent, for bodies never held whole (a large file
// compressed on the fly), and its framing on the wire. The handler puts a BodyStream in
// Response::stream; the Connection pulls it through a StreamFramer on the connection's thread,
// one piece at a time, and only once the previous piece has been sent: memory per connection
// is one piece, whatever the body's size. Neither touches a socket; a BodyStream may block
// briefly on a regular file's reads (pread), as sendfile does on the same thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace http {

class BodyStream {
public:
    enum class Status : std::uint8_t { more, done, failed };

    virtual ~BodyStream() = default;
    // Appends the next bytes of the body to `out`: at least one byte when it returns more;
    // the last ones (possibly none) with done. failed: the body cannot be finished (the
    // file shrank or changed, the encoder failed); what was appended is not to be sent.
    // Not called again after done or failed.
    virtual Status fill(std::string& out) = 0;
};

// Frames a BodyStream for HTTP/1.1: each fill becomes one chunk, the last chunk (no trailers)
// follows the last bytes (RFC 9112 §7.1); or, for HTTP/1.0, sends the bytes as they are and
// the body ends with the connection (the caller closes it), as nginx does for gzip on the fly.
class StreamFramer {
public:
    // Starts framing `s`; releases any previous stream.
    void start(std::unique_ptr<BodyStream> s, bool chunked);
    [[nodiscard]] bool active() const noexcept { return stream_ != nullptr; }

    // The bytes to send next: the rest of the current piece, or a new piece pulled from the
    // stream when the current one is all sent. Empty once finished() or failed().
    std::span<const std::byte> pending();
    // n bytes of pending() left.
    void consumed(std::size_t n) noexcept { begin_ += n; }

    // The current piece is the body's last (nothing is corked after it).
    [[nodiscard]] bool last_piece() const noexcept { return status_ != BodyStream::Status::more; }
    // The whole body, framing included, has been sent.
    [[nodiscard]] bool finished() const noexcept {
        return status_ == BodyStream::Status::done && begin_ >= buf_.size();
    }
    // The stream failed: the body stays incomplete and the connection must close.
    [[nodiscard]] bool failed() const noexcept { return status_ == BodyStream::Status::failed; }

    // Releases the stream (its file and encoder) and the piece buffer: an idle kept-alive
    // connection holds neither.
    void reset() noexcept;

private:
    void pull();

    std::unique_ptr<BodyStream> stream_;
    std::string buf_;
    std::size_t begin_ = 0;  // first byte of buf_ not yet sent
    bool chunked_ = true;
    BodyStream::Status status_ = BodyStream::Status::more;
};

}  // namespace http
