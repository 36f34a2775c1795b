#include "http/proto/response_stream.hpp"

#include <utility>

namespace http {
namespace {

// Room in front of a chunk's data for its size line: 16 hex digits and CRLF. The data is
// appended behind it and the line written right-aligned, so a chunk leaves in one send
// without copying the data.
constexpr std::size_t size_line_room = 18;
constexpr std::string_view last_chunk = "0\r\n\r\n";

// Writes "<hex>\r\n" so that it ends at `end`; returns where it starts.
std::size_t write_size_line(std::string& buf, std::size_t end, std::size_t n) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    std::size_t pos = end - 2;
    buf[pos] = '\r';
    buf[pos + 1] = '\n';
    do {
        buf[--pos] = digits[n & 0xf];
        n >>= 4;
    } while (n != 0);
    return pos;
}

}  // namespace

void StreamFramer::start(std::unique_ptr<BodyStream> s, bool chunked) {
    reset();
    stream_ = std::move(s);
    chunked_ = chunked;
}

void StreamFramer::reset() noexcept {
    stream_.reset();
    std::string().swap(buf_);  // the capacity too: a piece is tens of KiB
    begin_ = 0;
    status_ = BodyStream::Status::more;
}

std::span<const std::byte> StreamFramer::pending() {
    if (begin_ >= buf_.size() && status_ == BodyStream::Status::more && stream_) pull();
    if (begin_ >= buf_.size()) return {};
    return std::as_bytes(std::span(buf_)).subspan(begin_);
}

// One piece: a chunk with its size line and CRLF, joined by the last chunk after the last
// bytes; or the bytes alone without framing.
void StreamFramer::pull() {
    buf_.clear();
    const std::size_t data = chunked_ ? size_line_room : 0;
    buf_.resize(data);
    do {  // a stream promises bytes with `more`; asking again keeps a lapse from stalling us
        status_ = stream_->fill(buf_);
    } while (status_ == BodyStream::Status::more && buf_.size() == data);
    if (status_ == BodyStream::Status::failed) {
        buf_.clear();
        begin_ = 0;
        return;
    }
    const std::size_t n = buf_.size() - data;
    begin_ = 0;
    if (!chunked_) return;
    if (n == 0) {
        begin_ = data;  // the stream ended on a piece boundary: only the last chunk
    } else {
        begin_ = write_size_line(buf_, data, n);
        buf_.append("\r\n");
    }
    if (status_ == BodyStream::Status::done) buf_.append(last_chunk);
}

}  // namespace http
