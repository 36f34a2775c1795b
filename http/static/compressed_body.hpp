// A regular file compressed as it is read, in pieces: FileCompressor reads pieces with pread
// and feeds them to an encoder; the variant cache builds a whole variant with it, and
// CompressedBody streams it as a response body (BodyStream) for a file too large to hold in
// the cache. Both share the code, the piece size and the level, so a streamed variant is byte
// for byte the cached one: the encoders are deterministic for a given level, size hint and
// sequence of inputs (a unit test holds them to it), which is what lets both carry the same
// strong ETag "<etag>-<coding>". One thread at a time; blocks on the file's reads, CPU-bound
// otherwise. Memory: one input piece, the encoder's state and the output of one step.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "http/compress/encoder.hpp"
#include "http/fields/accept_encoding.hpp"
#include "http/proto/response_stream.hpp"

namespace http {

class FileCompressor {
public:
    static constexpr std::size_t piece_size = 64 * 1024;

    // `fd` is borrowed and must outlive the compressor; `st` describes the file as its
    // validators were computed. The encoder is made on the first next(): a HEAD never pays.
    FileCompressor(int fd, const struct stat& st, Coding c) noexcept
        : fd_(fd), st_(st), coding_(c) {}

    // Reads and compresses pieces until some output was appended to `out` (more) or the file
    // is all read and the encoder's trailer appended (done). failed: a read fell short (the
    // file shrank), the file changed while it was read (its identity differs from `st`: the
    // bytes may mix two versions, so the trailer is never written), or the encoder failed.
    BodyStream::Status next(std::string& out);

private:
    int fd_;
    struct stat st_;
    Coding coding_;
    std::unique_ptr<Encoder> enc_;
    std::string in_;
    std::uint64_t read_ = 0;
};

// Feeds `in` to `enc` in pieces of FileCompressor::piece_size, so a file held in memory
// compresses to the same bytes as one read from disk.
bool feed_in_pieces(Encoder& enc, std::string_view in, std::string& out);

// The file `fd` (owned from now on) compressed with `c` while it is sent.
std::unique_ptr<BodyStream> make_compressed_body(poly::UniqueFd fd, const struct stat& st,
                                                 Coding c);

}  // namespace http
