#include "http/static/compressed_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "base/syscall.hpp"
#include "http/static/variant_cache.hpp"

namespace http {
namespace {

using Status = BodyStream::Status;

class CompressedBody final : public BodyStream {
public:
    CompressedBody(poly::UniqueFd fd, const struct stat& st, Coding c) noexcept
        : fd_(std::move(fd)), compressor_(fd_.get(), st, c) {}

    Status fill(std::string& out) override { return compressor_.next(out); }

private:
    poly::UniqueFd fd_;  // declared first: outlives the compressor that borrows it
    FileCompressor compressor_;
};

bool unchanged(int fd, const struct stat& st) noexcept {
    struct stat now {};
    return ::fstat(fd, &now) == 0 && FileIdentity::of(now) == FileIdentity::of(st);
}

}  // namespace

Status FileCompressor::next(std::string& out) {
    const auto size = static_cast<std::uint64_t>(st_.st_size);
    if (!enc_) {
        enc_ = make_encoder(coding_, default_level(coding_), static_cast<std::size_t>(size));
        if (!enc_) return Status::failed;
        in_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, piece_size)));
    }
    const std::size_t before = out.size();
    while (read_ < size) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(size - read_, in_.size()));
        const ssize_t n = poly::retry_eintr(
            [&] { return ::pread(fd_, in_.data(), want, static_cast<off_t>(read_)); });
        if (n <= 0) return Status::failed;  // truncated under us (or EIO)
        if (!enc_->feed({in_.data(), static_cast<std::size_t>(n)}, out)) return Status::failed;
        read_ += static_cast<std::uint64_t>(n);
        // Brotli and zstd hold input until a block fills: read on until something comes out.
        if (out.size() > before) return Status::more;
    }
    if (!unchanged(fd_, st_) || !enc_->finish(out)) return Status::failed;
    enc_.reset();  // its state (up to a few MiB) is not needed for the last send
    std::string().swap(in_);
    return Status::done;
}

bool feed_in_pieces(Encoder& enc, std::string_view in, std::string& out) {
    for (std::size_t at = 0; at < in.size(); at += FileCompressor::piece_size)
        if (!enc.feed(in.substr(at, FileCompressor::piece_size), out)) return false;
    return true;
}

std::unique_ptr<BodyStream> make_compressed_body(poly::UniqueFd fd, const struct stat& st,
                                                 Coding c) {
    return std::make_unique<CompressedBody>(std::move(fd), st, c);
}

}  // namespace http
