// StreamFramer and the head of a streamed response: each piece of a BodyStream one chunk
// (RFC 9112 §7.1) for HTTP/1.1, the bytes as they are for HTTP/1.0, nothing after a failure;
// Transfer-Encoding: chunked instead of Content-Length in the head.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "http/proto/response.hpp"
#include "http/proto/response_head.hpp"
#include "http/proto/response_stream.hpp"

namespace {

using Status = http::BodyStream::Status;

// Hands out the given pieces, the last one with `last`; counts its calls.
class Scripted final : public http::BodyStream {
public:
    Scripted(std::vector<std::string> pieces, Status last, int* calls = nullptr)
        : pieces_(std::move(pieces)), last_(last), calls_(calls) {}
    Status fill(std::string& out) override {
        if (calls_ != nullptr) ++*calls_;
        REQUIRE(next_ < pieces_.size());  // never asked again after done or failed
        out += pieces_[next_++];
        return next_ == pieces_.size() ? last_ : Status::more;
    }

private:
    std::vector<std::string> pieces_;
    std::size_t next_ = 0;
    Status last_;
    int* calls_;
};

// Everything the framer sends, `step` bytes per write at most.
std::string drain(http::StreamFramer& f, std::size_t step = 1 << 20) {
    std::string out;
    for (auto p = f.pending(); !p.empty(); p = f.pending()) {
        const std::size_t n = std::min(step, p.size());
        out.append(reinterpret_cast<const char*>(p.data()), n);
        f.consumed(n);
    }
    return out;
}

std::string framed(std::vector<std::string> pieces, Status last, bool chunked,
                   std::size_t step = 1 << 20) {
    http::StreamFramer f;
    f.start(std::make_unique<Scripted>(std::move(pieces), last), chunked);
    return drain(f, step);
}

}  // namespace

TEST_CASE("stream framing: one chunk per piece, then the last chunk", "[response_stream]") {
    CHECK(framed({"hello", " world"}, Status::done, true) ==
          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    // The last bytes and the last chunk leave together; a stream that ends with no bytes
    // sends the last chunk alone.
    CHECK(framed({"abc"}, Status::done, true) == "3\r\nabc\r\n0\r\n\r\n");
    CHECK(framed({"abc", ""}, Status::done, true) == "3\r\nabc\r\n0\r\n\r\n");
    CHECK(framed({""}, Status::done, true) == "0\r\n\r\n");
    // Sizes in hex, lower case, any size.
    const std::string big(0x1abcd, 'x');
    CHECK(framed({big}, Status::done, true) == "1abcd\r\n" + big + "\r\n0\r\n\r\n");
    // How the transport splits its writes changes nothing.
    for (std::size_t step : {1, 2, 5, 7}) {
        INFO("write step " << step);
        CHECK(framed({"hello", " world"}, Status::done, true, step) ==
              "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    }
}

TEST_CASE("stream framing: HTTP/1.0 gets the bytes alone", "[response_stream]") {
    CHECK(framed({"hello", " ", "world"}, Status::done, false) == "hello world");
    CHECK(framed({""}, Status::done, false).empty());
}

TEST_CASE("stream framing: a failed stream ends the body where it is", "[response_stream]") {
    http::StreamFramer f;
    f.start(std::make_unique<Scripted>(std::vector<std::string>{"abc", "partial"}, Status::failed),
            true);
    // The first chunk goes out whole; the failed piece is dropped and no last chunk follows.
    CHECK(drain(f) == "3\r\nabc\r\n");
    CHECK(f.failed());
    CHECK_FALSE(f.finished());
    CHECK(f.pending().empty());
}

TEST_CASE("stream framing: pulled only when the previous piece is sent", "[response_stream]") {
    int calls = 0;
    http::StreamFramer f;
    f.start(std::make_unique<Scripted>(std::vector<std::string>{"ab", "cd"}, Status::done, &calls),
            true);
    CHECK(calls == 0);  // nothing is produced before the transport asks
    CHECK(f.pending().size() == 7);
    CHECK(f.pending().size() == 7);  // asking again does not pull again
    CHECK(calls == 1);
    CHECK_FALSE(f.last_piece());
    f.consumed(3);
    CHECK(f.pending().size() == 4);
    CHECK(calls == 1);
    f.consumed(4);
    CHECK(f.pending().size() == 12);  // "2\r\ncd\r\n0\r\n\r\n"
    CHECK(calls == 2);
    CHECK(f.last_piece());
    CHECK_FALSE(f.finished());
    f.consumed(12);
    CHECK(f.finished());
    f.reset();
    CHECK_FALSE(f.active());
}

TEST_CASE("stream framing: a stream that returns no bytes with more is asked again",
          "[response_stream]") {
    CHECK(framed({"", "", "x"}, Status::done, true) == "1\r\nx\r\n0\r\n\r\n");
}

TEST_CASE("head of a streamed response: chunked, or nothing for HTTP/1.0", "[response_head]") {
    http::Response res;
    res.stream = std::make_unique<Scripted>(std::vector<std::string>{"x"}, Status::done);
    http::HeadOptions opt;
    opt.chunked = true;
    std::string head;
    http::append_response_head(head, res, opt);
    CHECK(head.find("\r\nTransfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);

    head.clear();
    opt.chunked = false;
    opt.close = true;
    http::append_response_head(head, res, opt);
    CHECK(head.find("Transfer-Encoding") == std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);
    CHECK(head.find("\r\nConnection: close\r\n") != std::string::npos);

    // 304 has neither, stream or not; reset() drops the stream.
    head.clear();
    res.status = 304;
    opt.chunked = true;
    http::append_response_head(head, res, opt);
    CHECK(head.find("Transfer-Encoding") == std::string::npos);
    res.reset();
    CHECK(res.stream == nullptr);
}
