// A socket-free transport for http::Connection tests: feeds input in chosen pieces, drains
// output (file pieces read with pread, as sendfile would), and records what the access log
// would see. Single-threaded; throws on filesystem errors so Catch reports them.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "http/connection.hpp"

namespace test {

struct Recorded {
    std::vector<int> statuses;
    std::vector<std::string> targets;
    std::vector<std::uint64_t> body_bytes;
};

class RecordingSink final : public http::ExchangeSink {
public:
    void exchange_done(const http::Exchange& e) noexcept override {
        rec.statuses.push_back(e.status);
        rec.targets.emplace_back(e.target);
        rec.body_bytes.push_back(e.body_bytes);
    }
    Recorded rec;
};

struct Transcript {
    std::string output;
    bool closed = false;  // want() == close at the end
};

// Sends everything the connection has queued, `write_step` bytes at a time at most.
inline void drain(http::Connection& c, std::string& out, std::size_t write_step = 1 << 20) {
    for (http::Output o = c.next_output(); !o.empty(); o = c.next_output()) {
        if (o.is_file()) {
            const auto n = std::min<std::uint64_t>(o.file_length, write_step);
            std::string buf(n, '\0');
            const ssize_t got =
                ::pread(o.file_fd, buf.data(), n, static_cast<off_t>(o.file_offset));
            if (got <= 0) return;
            out.append(buf, 0, static_cast<std::size_t>(got));
            c.on_written(static_cast<std::size_t>(got));
        } else {  // bytes, then the tail, as one sendmsg would; a short write may end anywhere
            const auto n = std::min(o.bytes.size() + o.tail.size(), write_step);
            const auto head = std::min(n, o.bytes.size());
            out.append(reinterpret_cast<const char*>(o.bytes.data()), head);
            out.append(reinterpret_cast<const char*>(o.tail.data()), n - head);
            c.on_written(n);
        }
    }
}

// Feeds `input` in pieces of `step` bytes (0: whole), draining output between pieces; then
// reports EOF when `eof` is set.
// With `external`, bytes arrive through on_data() (the event loops' way) instead of
// read_space()/on_read().
inline Transcript run(http::Connection& c, std::string_view input, std::size_t step = 0,
                      bool eof = false, std::size_t write_step = 1 << 20, bool external = false) {
    Transcript t;
    std::size_t pos = 0;
    while (pos < input.size() && c.want() != http::Want::close) {
        drain(c, t.output, write_step);
        if (c.want() != http::Want::read) break;
        if (external) {
            const std::size_t n =
                step == 0 ? input.size() - pos : std::min(step, input.size() - pos);
            c.on_data(std::as_bytes(std::span(input.data() + pos, n)));
            pos += n;
            continue;
        }
        const auto space = c.read_space();
        std::size_t n = std::min(space.size(), input.size() - pos);
        if (step != 0) n = std::min(n, step);
        std::copy_n(reinterpret_cast<const std::byte*>(input.data() + pos), n, space.data());
        pos += n;
        c.on_read(n);
    }
    drain(c, t.output, write_step);
    if (eof && c.want() == http::Want::read) {
        c.on_read(0);
        drain(c, t.output, write_step);
    }
    t.closed = c.want() == http::Want::close;
    return t;
}

// Replaces every Date header value so transcripts taken a second apart compare equal.
inline std::string without_dates(const std::string& s) {
    static const std::regex date("Date: [^\r]*\r\n");
    return std::regex_replace(s, date, "Date: X\r\n");
}

inline int count(std::string_view hay, std::string_view needle) {
    int n = 0;
    for (auto p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace test
