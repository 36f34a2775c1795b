// Response: what a handler produces for one request, before serialization. Owned by the
// Connection and reused across requests (reset() keeps capacity). A body is a list of pieces,
// each either bytes of `text` or a range of the representation, so a plain file, an error
// page and a multipart/byteranges body are all the same shape to the transport. The
// representation is `cached` (a small file held in memory) when set, else `file`. A body
// produced while it is sent (response_stream.hpp) is `stream` instead, with no pieces.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"
#include "http/fields/conditional.hpp"
#include "http/proto/response_stream.hpp"

namespace http {

struct CachedFile;

struct BodyPiece {
    enum class Kind : std::uint8_t { text, file };
    Kind kind = Kind::text;
    std::uint64_t offset = 0;  // into Response::text, or the representation
    std::uint64_t length = 0;
};

struct Response {
    int status = 200;
    std::string_view content_type;      // static or table storage; empty: no header
    std::string_view content_encoding;  // "br", "gzip" or empty
    std::string_view allow;             // for 405 and OPTIONS
    bool vary_accept_encoding = false;
    bool vary_origin = false;  // CORS: the response depends on the request's Origin
    bool accept_ranges = false;
    bool close = false;              // the handler requires the connection to close
    std::time_t last_modified = -1;  // -1: no header
    ETag etag;
    std::string location;       // already percent-encoded; empty: no header
    std::string content_range;  // "bytes a-b/n" or "bytes */n"; empty: no header
    std::string text;           // storage for text pieces
    poly::UniqueFd file;
    // Wins over `file` for file pieces: its body, or the descriptor it keeps open.
    std::shared_ptr<const CachedFile> cached;
    std::vector<BodyPiece> pieces;
    // Set: the body is produced while it is sent, its length unknown in advance; `pieces` is
    // empty and the head carries no Content-Length (the Connection frames it: chunked, or
    // until close for HTTP/1.0). A HEAD or 304 drops it unread.
    std::unique_ptr<BodyStream> stream;
    // Further fields (a site's header rules, CORS), written after the ones above. The views'
    // storage must outlive the response: the site configuration or `text`-like members.
    // A name here never repeats one the serializer writes itself (the configuration refuses
    // those names).
    std::vector<std::pair<std::string_view, std::string_view>> extra_headers;

    // Sum of piece lengths: the Content-Length of the response (without a stream).
    [[nodiscard]] std::uint64_t body_length() const noexcept;

    void add_text(std::string_view bytes);
    // A range of the representation (`cached` when set, else `file`).
    void add_file_range(std::uint64_t offset, std::uint64_t length);
    void reset() noexcept;
};

std::string_view reason_phrase(int status) noexcept;

// Turns `res` into an error response: status, a small HTML body, text/html content type.
// Keeps nothing of what was there before except `close` and `allow`.
void make_error(Response& res, int status);

}  // namespace http
