// Streaming encoders for the content codings gzip (zlib), br (libbrotlienc) and zstd (libzstd),
// behind one small interface: feed input, take the output appended to a string, finish.
// Used by the static handler to build compressed variants and to stream large files
// (http/static/compressed_body.hpp). An Encoder is one stream on one thread at a time; distinct
// encoders are independent. CPU-bound, never blocks on I/O. Failures (the library out of memory)
// are returned as false, never thrown.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "http/fields/accept_encoding.hpp"

namespace http {

class Encoder {
public:
    virtual ~Encoder() = default;
    // Compresses all of `in`, appending what the coder emits so far to `out` (it may keep
    // some input buffered until finish). False when the library failed: the stream is spent.
    virtual bool feed(std::string_view in, std::string& out) = 0;
    // Appends everything fed so far, so a client can decode it now; the stream goes on. Costs
    // a little ratio: used only where input would otherwise wait too long (Brotli holds up to
    // its whole window before emitting anything).
    virtual bool flush(std::string& out) = 0;
    // Ends the stream, appending the rest and the trailer. The encoder is spent afterwards.
    virtual bool finish(std::string& out) = 0;
};

// The level used for variants that are compressed once and cached; see encoder.cpp for the
// measurements behind them.
int default_level(Coding c) noexcept;

// A fresh stream; null for identity or when the library cannot allocate its state.
// `size_hint` (0: unknown) lets Brotli size its window for a small input.
std::unique_ptr<Encoder> make_encoder(Coding c, int level, std::size_t size_hint = 0);

// One-shot: `in` compressed whole, appended to `out`, at default_level.
bool compress_string(Coding c, std::string_view in, std::string& out);

}  // namespace http
