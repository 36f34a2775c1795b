// Decoders for the tests' round trips (zlib, libbrotlidec, libzstd): what a client does with
// a compressed body. Return false on any corruption, so a test fails rather than crashes.
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <brotli/decode.h>

#include "http/fields/accept_encoding.hpp"

namespace test {

inline bool gunzip(std::string_view in, std::string& out) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return false;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    char buf[16384];
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated
    }
    const bool ok = rc == Z_STREAM_END && zs.avail_in == 0;
    inflateEnd(&zs);
    return ok;
}

inline bool unbrotli(std::string_view in, std::string& out) {
    std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> st(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
    std::size_t avail_in = in.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    for (;;) {
        std::uint8_t buf[16384];
        std::size_t avail_out = sizeof buf;
        std::uint8_t* next_out = buf;
        const BrotliDecoderResult r = BrotliDecoderDecompressStream(st.get(), &avail_in, &next_in,
                                                                    &avail_out, &next_out, nullptr);
        out.append(reinterpret_cast<char*>(buf), sizeof buf - avail_out);
        if (r == BROTLI_DECODER_RESULT_SUCCESS) return avail_in == 0;
        if (r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return false;
    }
}

inline bool unzstd(std::string_view in, std::string& out) {
    std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> d(ZSTD_createDCtx(), ZSTD_freeDCtx);
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    std::size_t left = 1;
    while (src.pos < src.size || left != 0) {
        char buf[16384];
        ZSTD_outBuffer dst{buf, sizeof buf, 0};
        left = ZSTD_decompressStream(d.get(), &dst, &src);
        if (ZSTD_isError(left)) return false;
        out.append(buf, dst.pos);
        if (src.pos == src.size && dst.pos < dst.size && left != 0) return false;  // truncated
    }
    return true;
}

// The body decoded as a client would; "<corrupt>" when it does not decode.
inline std::string decode(http::Coding c, std::string_view body) {
    std::string out;
    bool ok = false;
    switch (c) {
        case http::Coding::gzip: ok = gunzip(body, out); break;
        case http::Coding::br: ok = unbrotli(body, out); break;
        case http::Coding::zstd: ok = unzstd(body, out); break;
        case http::Coding::identity: return std::string(body);
    }
    return ok ? out : "<corrupt>";
}

}  // namespace test
