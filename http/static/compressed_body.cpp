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

// The next piece of the file: a slice of the memory copy, or read into in_.
bool FileCompressor::read_piece(std::string_view& piece) {
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(st_.st_size) - read_, piece_size));
    if (from_mem_) {
        if (read_ + want > mem_.size()) return false;
        piece = mem_.substr(static_cast<std::size_t>(read_), want);
        return true;
    }
    in_.resize(want);
    const ssize_t n = poly::retry_eintr(
        [&] { return ::pread(fd_, in_.data(), want, static_cast<off_t>(read_)); });
    if (n <= 0) return false;  // truncated under us (or EIO)
    piece = std::string_view(in_.data(), static_cast<std::size_t>(n));
    return true;
}

Status FileCompressor::next(std::string& out) {
    const auto size = static_cast<std::uint64_t>(st_.st_size);
    if (!enc_) {
        enc_ = make_encoder(coding_, default_level(coding_), static_cast<std::size_t>(size));
        if (!enc_) return Status::failed;
    }
    const std::size_t before = out.size();
    while (read_ < size) {
        std::string_view piece;
        if (!read_piece(piece) || !enc_->feed(piece, out)) return Status::failed;
        read_ += piece.size();
        unflushed_ = out.size() > before ? 0 : unflushed_ + piece.size();
        if (unflushed_ >= flush_after) {
            if (!enc_->flush(out)) return Status::failed;
            unflushed_ = 0;
        }
        if (out.size() > before) return Status::more;
    }
    // A memory copy was checked when it was read; a file may have changed since `st`.
    if ((!from_mem_ && !unchanged(fd_, st_)) || !enc_->finish(out)) return Status::failed;
    enc_.reset();  // its state (up to a few MiB) is not needed for the last send
    std::string().swap(in_);
    return Status::done;
}

std::unique_ptr<BodyStream> make_compressed_body(poly::UniqueFd fd, const struct stat& st,
                                                 Coding c) {
    return std::make_unique<CompressedBody>(std::move(fd), st, c);
}

}  // namespace http
