// The three encoders share one shape: point the library at the input, give it room at the end
// of `out`, run, trim `out` to what was written, repeat until the input is consumed (feed) or
// the library says the stream is complete (finish).
#include "http/compress/encoder.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>

#include <brotli/encode.h>

namespace http {
namespace {

// Output grows in steps of this size; a variant of a 100 KB page takes two or three.
constexpr std::size_t out_step = 32 * 1024;

// Room for the library at the end of `out`; returns where it starts. trim() gives back the
// unused part.
std::uint8_t* grow(std::string& out, std::size_t& old_size) {
    old_size = out.size();
    out.resize(old_size + out_step);
    return reinterpret_cast<std::uint8_t*>(out.data() + old_size);
}

void trim(std::string& out, std::size_t old_size, std::size_t unused) {
    out.resize(old_size + out_step - unused);
}

// feed, flush and finish are one loop over the library with a mode for the call.
enum class Mode : std::uint8_t { process, flush, finish };

class LoopEncoder : public Encoder {
public:
    bool feed(std::string_view in, std::string& out) final { return run(in, out, Mode::process); }
    bool flush(std::string& out) final { return run({}, out, Mode::flush); }
    bool finish(std::string& out) final { return run({}, out, Mode::finish); }

protected:
    virtual bool run(std::string_view in, std::string& out, Mode mode) = 0;
};

class GzipEncoder final : public LoopEncoder {
public:
    explicit GzipEncoder(int level) {
        // windowBits 15 + 16: the gzip wrapper (RFC 1952) rather than zlib's, as "gzip" means.
        ok_ = deflateInit2(&zs_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipEncoder() override {
        if (ok_) deflateEnd(&zs_);
    }
    GzipEncoder(const GzipEncoder&) = delete;
    GzipEncoder& operator=(const GzipEncoder&) = delete;

    [[nodiscard]] bool ok() const noexcept { return ok_; }

private:
    bool run(std::string_view in, std::string& out, Mode mode) override {
        // avail_in is a uInt: hand over at most 1 GiB at a time.
        constexpr std::size_t max_piece = std::size_t{1} << 30;
        while (in.size() > max_piece) {
            if (!deflate_piece(in.substr(0, max_piece), out, Z_NO_FLUSH)) return false;
            in.remove_prefix(max_piece);
        }
        const int flush = mode == Mode::finish  ? Z_FINISH
                          : mode == Mode::flush ? Z_SYNC_FLUSH
                                                : Z_NO_FLUSH;
        return deflate_piece(in, out, flush);
    }

    bool deflate_piece(std::string_view in, std::string& out, int flush) {
        if (!ok_) return false;
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        zs_.avail_in = static_cast<uInt>(in.size());
        for (;;) {
            std::size_t old = 0;
            zs_.next_out = grow(out, old);
            zs_.avail_out = static_cast<uInt>(out_step);
            const int rc = deflate(&zs_, flush);
            trim(out, old, zs_.avail_out);
            if (rc == Z_STREAM_ERROR) return ok_ = false;
            if (flush == Z_FINISH) {
                if (rc == Z_STREAM_END) return true;
            } else if (zs_.avail_in == 0 && zs_.avail_out != 0) {
                return true;
            }
        }
    }

    z_stream zs_{};
    bool ok_ = false;
};

class BrotliEncoder final : public LoopEncoder {
public:
    BrotliEncoder(int level, std::size_t size_hint)
        : st_(BrotliEncoderCreateInstance(nullptr, nullptr, nullptr)) {
        if (!st_) return;
        BrotliEncoderSetParameter(st_.get(), BROTLI_PARAM_QUALITY,
                                  static_cast<std::uint32_t>(level));
        // Text is what the static handler mostly compresses. The size hint lets the encoder
        // pick its parameters for the input it will get.
        BrotliEncoderSetParameter(st_.get(), BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
        if (size_hint > 0 && size_hint <= (std::size_t{1} << 30))
            BrotliEncoderSetParameter(st_.get(), BROTLI_PARAM_SIZE_HINT,
                                      static_cast<std::uint32_t>(size_hint));
    }
    [[nodiscard]] bool ok() const noexcept { return st_ != nullptr; }

private:
    struct Free {
        void operator()(BrotliEncoderState* s) const noexcept { BrotliEncoderDestroyInstance(s); }
    };

    bool run(std::string_view in, std::string& out, Mode mode) override {
        if (!st_) return false;
        const BrotliEncoderOperation op = mode == Mode::finish  ? BROTLI_OPERATION_FINISH
                                          : mode == Mode::flush ? BROTLI_OPERATION_FLUSH
                                                                : BROTLI_OPERATION_PROCESS;
        std::size_t avail_in = in.size();
        const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
        for (;;) {
            std::size_t old = 0;
            std::uint8_t* next_out = grow(out, old);
            std::size_t avail_out = out_step;
            const bool good = BrotliEncoderCompressStream(st_.get(), op, &avail_in, &next_in,
                                                          &avail_out, &next_out, nullptr);
            trim(out, old, avail_out);
            if (!good) {
                st_.reset();
                return false;
            }
            if (op == BROTLI_OPERATION_FINISH) {
                if (BrotliEncoderIsFinished(st_.get())) return true;
            } else if (avail_in == 0 && !BrotliEncoderHasMoreOutput(st_.get())) {
                return true;
            }
        }
    }

    std::unique_ptr<BrotliEncoderState, Free> st_;
};

class ZstdEncoder final : public LoopEncoder {
public:
    explicit ZstdEncoder(int level) : cctx_(ZSTD_createCCtx()) {
        if (cctx_ &&
            ZSTD_isError(ZSTD_CCtx_setParameter(cctx_.get(), ZSTD_c_compressionLevel, level)))
            cctx_.reset();
    }
    [[nodiscard]] bool ok() const noexcept { return cctx_ != nullptr; }

private:
    struct Free {
        void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
    };

    bool run(std::string_view in, std::string& out, Mode m) override {
        if (!cctx_) return false;
        const ZSTD_EndDirective mode = m == Mode::finish  ? ZSTD_e_end
                                       : m == Mode::flush ? ZSTD_e_flush
                                                          : ZSTD_e_continue;
        ZSTD_inBuffer src{in.data(), in.size(), 0};
        for (;;) {
            std::size_t old = 0;
            ZSTD_outBuffer dst{grow(out, old), out_step, 0};
            const std::size_t left = ZSTD_compressStream2(cctx_.get(), &dst, &src, mode);
            trim(out, old, out_step - dst.pos);
            if (ZSTD_isError(left)) {
                cctx_.reset();
                return false;
            }
            if (mode == ZSTD_e_continue ? src.pos == src.size : left == 0) return true;
        }
    }

    std::unique_ptr<ZSTD_CCtx, Free> cctx_;
};

template <class E, class... Args>
std::unique_ptr<Encoder> checked(Args... args) {
    auto e = std::make_unique<E>(args...);
    if (!e->ok()) return nullptr;
    return e;
}

}  // namespace

// Measured on a 97,675-byte HTML page (the rustc book's symbol-mangling chapter), ms per
// compression on a shared 2-core machine (noisy; the ratios are exact):
//   gzip 1: 26.5% 2.3-3.9 ms   gzip 6: 21.6% 4.3-5.8 ms   gzip 9: 21.4% 5.4 ms
//   br 4:   21.8% 2.0 ms       br 5:   20.2% 3.3-3.9 ms   br 6:   20.0% 4.9 ms   br 9: 19.6% 37 ms
//   zstd 3: 23.5% 0.5 ms       zstd 9: 21.0% 2.4-5.5 ms   zstd 11: 20.9% 3.5-5.1 ms
//   zstd 12: 20.9% 40-46 ms (its strategy changes: ten times the cost for nothing)
// A variant is compressed once and then served from memory, so a few milliseconds are paid
// once per file version; past these levels each step costs more than it saves.
int default_level(Coding c) noexcept {
    switch (c) {
        case Coding::gzip: return 6;
        case Coding::br: return 5;
        case Coding::zstd: return 9;
        case Coding::identity: break;
    }
    return 0;
}

std::unique_ptr<Encoder> make_encoder(Coding c, int level, std::size_t size_hint) {
    switch (c) {
        case Coding::gzip: return checked<GzipEncoder>(level);
        case Coding::br: return checked<BrotliEncoder>(level, size_hint);
        case Coding::zstd: return checked<ZstdEncoder>(level);
        case Coding::identity: break;
    }
    return nullptr;
}

bool compress_string(Coding c, std::string_view in, std::string& out) {
    const std::unique_ptr<Encoder> e = make_encoder(c, default_level(c), in.size());
    return e && e->feed(in, out) && e->finish(out);
}

}  // namespace http
