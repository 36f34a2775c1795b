// A regular file compressed as it is read, in pieces: FileCompressor reads pieces with pread
// (or slices a copy in memory) and feeds them to an encoder; the variant cache builds a whole
// variant with it, and CompressedBody streams it as a response body (BodyStream) for a file
// too large to hold in the cache. Both share the code, the pieces, the flushes and the level,
// so a streamed variant is byte for byte the cached one: the encoders are deterministic for a
// given level, size hint and sequence of calls (a unit test holds them to it), which is what
// lets both carry the same strong ETag "<etag>-<coding>". One thread at a time; blocks on the
// file's reads, CPU-bound otherwise. Memory: one input piece, the output of one step and the
// encoder's state (its window: 32 KiB for gzip, up to a few MiB for br and zstd at the
// variant levels; never the file).
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
    // Input fed without output since the last flush before the encoder is told to flush:
    // Brotli otherwise holds up to its window (4 MiB and more) and then sends it in one burst
    // after compressing it all in one step. gzip and zstd emit blocks well before this.
    static constexpr std::uint64_t flush_after = 256 * 1024;

    // `fd` is borrowed and must outlive the compressor; `st` describes the file as its
    // validators were computed. The encoder is made on the first next(): a HEAD never pays.
    FileCompressor(int fd, const struct stat& st, Coding c) noexcept
        : fd_(fd), st_(st), coding_(c) {}
    // The same from the file's bytes in memory (borrowed; checked when they were read).
    FileCompressor(std::string_view mem, const struct stat& st, Coding c) noexcept
        : st_(st), coding_(c), mem_(mem), from_mem_(true) {}

    // Reads and compresses pieces until some output was appended to `out` (more) or the file
    // is all read and the encoder's trailer appended (done). failed: a read fell short (the
    // file shrank), the file changed while it was read (its identity differs from `st`: the
    // bytes may mix two versions, so the trailer is never written), or the encoder failed.
    BodyStream::Status next(std::string& out);

private:
    [[nodiscard]] bool read_piece(std::string_view& piece);

    int fd_ = -1;
    struct stat st_;
    Coding coding_;
    std::string_view mem_;
    bool from_mem_ = false;
    std::unique_ptr<Encoder> enc_;
    std::string in_;
    std::uint64_t read_ = 0;
    std::uint64_t unflushed_ = 0;
};

// The file `fd` (owned from now on) compressed with `c` while it is sent.
std::unique_ptr<BodyStream> make_compressed_body(poly::UniqueFd fd, const struct stat& st,
                                                 Coding c);

}  // namespace http
