#include "http/static/range_body.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "base/decimal.hpp"

namespace http {
namespace {

// One boundary per process, random so that file content cannot be crafted to contain it by
// someone who cannot read the server's memory. Lives in static storage: content_type is a view.
struct Boundary {
    char content_type[64];
    std::size_t type_len = 0;
    std::string_view type() const noexcept { return {content_type, type_len}; }
    std::string_view token() const noexcept { return type().substr(type_len - 20); }
};

const Boundary& boundary() noexcept {
    static const Boundary b = [] {
        unsigned char raw[10] = {};
        if (::getrandom(raw, sizeof raw, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof raw)) {
            // Entropy pool not ready (early boot): uniqueness, not secrecy, is what matters.
            const auto mix = static_cast<std::uint64_t>(std::time(nullptr)) ^
                             (static_cast<std::uint64_t>(::getpid()) << 32);
            std::memcpy(raw, &mix, sizeof mix);
        }
        Boundary out{};
        constexpr std::string_view prefix = "multipart/byteranges; boundary=";
        std::memcpy(out.content_type, prefix.data(), prefix.size());
        constexpr char hex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < sizeof raw; ++i) {
            out.content_type[prefix.size() + 2 * i] = hex[raw[i] >> 4];
            out.content_type[prefix.size() + 2 * i + 1] = hex[raw[i] & 0xf];
        }
        out.type_len = prefix.size() + 2 * sizeof raw;
        return out;
    }();
    return b;
}

}  // namespace

void append_content_range(std::string& out, const ByteRange& r, std::uint64_t size) {
    out.append("bytes ");
    poly::append_decimal(out, r.first);
    out.push_back('-');
    poly::append_decimal(out, r.last);
    out.push_back('/');
    poly::append_decimal(out, size);
}

void set_multipart_body(Response& res, const std::vector<ByteRange>& ranges, std::uint64_t size,
                        std::string_view type) {
    const Boundary& b = boundary();
    res.content_type = b.type();
    for (const ByteRange& r : ranges) {
        const std::size_t start = res.text.size();
        res.text.append("\r\n--").append(b.token()).append("\r\nContent-Type: ").append(type);
        res.text.append("\r\nContent-Range: ");
        append_content_range(res.text, r, size);
        res.text.append("\r\n\r\n");
        res.pieces.push_back({BodyPiece::Kind::text, start, res.text.size() - start});
        res.add_file_range(r.first, r.length());
    }
    const std::size_t start = res.text.size();
    res.text.append("\r\n--").append(b.token()).append("--\r\n");
    res.pieces.push_back({BodyPiece::Kind::text, start, res.text.size() - start});
}

}  // namespace http
