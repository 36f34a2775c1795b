// libFuzzer target: http::Connection, sans I/O, over a small generated web root (fuzz_root.hpp).
//
// Input layout: byte 0 holds flags (see Plan), bytes 1-2 seed the generator that chooses
// where the rest, the wire bytes, is split into reads and how much of the output each write
// takes. So the fuzzer controls both the bytes and their arrival. Per input it checks:
//   - the output is a sequence of well-formed responses with honest framing, one per
//     exchange the access log saw, each with that exchange's status and body size
//     (response_check.hpp), and bounded in size;
//   - the requests answered are a prefix of what the parser reads from the whole input in
//     one piece (request_oracle.hpp): no body answered as a request, nothing lost or
//     invented by splitting; at most one extra response, an error that closes;
//   - the connection closes when the input is not clean HTTP (framing in doubt), after
//     Connection: close, after the peer's EOF and after a timeout; it never stalls;
//   - the out-of-root secret never appears in the output.
// Built with clang and -fsanitize=fuzzer (POLYHTTPD_FUZZ=ON), and with any compiler as the
// corpus replay test (replay_main.cpp).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/connection.hpp"
#include "fuzz_check.hpp"
#include "fuzz_root.hpp"
#include "request_oracle.hpp"
#include "response_check.hpp"
#include "splitter.hpp"
#include "http/site/site_table.hpp"

namespace {

using fuzz::require;

// What byte 0 and bytes 1-2 of an input choose.
struct Plan {
    bool external = false;     // bytes arrive through on_data() (event loops), not read_space()
    bool eof = false;          // the peer closes after the last byte
    bool timeout = false;      // the phase deadline passes after the last byte
    bool shutdown = false;     // a graceful stop once half the bytes have arrived
    bool second_site = false;  // no cache, autoindex, dotfiles served, few ranges
    std::uint32_t seed = 1;
    std::string_view wire;
};

constexpr std::size_t plan_bytes = 3;

Plan read_plan(const std::uint8_t* data, std::size_t size) {
    Plan p;
    const std::uint8_t flags = data[0];
    p.external = (flags & 1u) != 0;
    p.eof = (flags & 2u) != 0;
    p.timeout = (flags & 4u) != 0;
    p.shutdown = (flags & 8u) != 0;
    p.second_site = (flags & 16u) != 0;
    p.seed = (static_cast<std::uint32_t>(data[1]) << 8 | data[2]) + 1u;  // xorshift needs != 0
    p.wire = {reinterpret_cast<const char*>(data) + plan_bytes, size - plan_bytes};
    return p;
}

http::ConnectionLimits fuzz_limits() {
    http::ConnectionLimits l;
    // Small limits, so that inputs the fuzzer can build reach every limit's code path.
    l.max_head_size = 2048;
    l.max_target_size = 512;
    l.max_discard_body = 4096;
    return l;
}

http::StaticConfig site_config(const fuzz::FuzzRoot& root, bool second) {
    http::StaticConfig cfg;
    cfg.root = root.root();
    cfg.mime_types_file = "";  // the built-in table: results must not depend on the host
    if (second) {
        cfg.cache_max_file_size = 0;
        cfg.autoindex = true;
        cfg.hidden = true;
        cfg.max_ranges = 3;
    }
    return cfg;
}

struct Sites {
    fuzz::FuzzRoot root;
    http::SiteTable first{site_config(root, false)};
    http::SiteTable second{site_config(root, true)};
};

const Sites& sites() {
    static const Sites s;
    return s;
}

struct Recorded {
    std::string method;
    std::string target;
    int status = 0;
    std::uint64_t body_bytes = 0;
    bool completed = false;
};

class Recorder final : public http::ExchangeSink {
public:
    void exchange_done(const http::Exchange& e) noexcept override {
        list.push_back({std::string(e.method), std::string(e.target), e.status, e.body_bytes, e.completed});
    }
    std::vector<Recorded> list;
};

// Plays the transport: reads and writes in the sizes the seed chooses, file pieces read
// with pread as sendfile would.
class Driver {
public:
    Driver(http::Connection& conn, const Plan& plan)
        : conn_(conn), plan_(plan), split_(plan.seed, {4, 64, 4096}) {}

    void run() {
        std::size_t pos = 0;
        bool stopped = false;
        while (conn_.want() != http::Want::close) {
            if (conn_.want() == http::Want::write) {
                write_once();
                continue;
            }
            if (pos == plan_.wire.size()) break;
            pos += read_once(plan_.wire.substr(pos));
            if (plan_.shutdown && !stopped && pos * 2 >= plan_.wire.size()) {
                conn_.shutdown();
                stopped = true;
            }
        }
        if (conn_.want() != http::Want::read) return;
        if (plan_.eof) finish_with([this] { end_of_input(); }, "closed after the peer's EOF");
        else if (plan_.timeout) finish_with([this] { conn_.on_timeout(); }, "closed after a timeout");
    }

    std::string output;

private:
    std::size_t read_once(std::string_view rest) {
        const std::size_t n = split_.next(rest.size());
        if (plan_.external) {
            conn_.on_data(std::as_bytes(std::span(rest.data(), n)));
            return n;
        }
        const std::span<std::byte> space = conn_.read_space();
        require(!space.empty(), "read_space() is never empty while want() == read");
        const std::size_t take = std::min(n, space.size());
        std::copy_n(reinterpret_cast<const std::byte*>(rest.data()), take, space.data());
        conn_.on_read(take);
        return take;
    }

    void end_of_input() {
        if (plan_.external) conn_.on_data({});
        else conn_.on_read(0);
    }

    template <class Event>
    void finish_with(Event event, std::string_view invariant) {
        event();
        while (conn_.want() == http::Want::write) write_once();
        require(conn_.want() == http::Want::close, invariant);
    }

    void write_once() {
        const http::Output out = conn_.next_output();
        require(!out.empty(), "want() == write always has output (no stall)");
        if (!out.is_file()) {
            const std::size_t n = split_.next(out.bytes.size());
            output.append(reinterpret_cast<const char*>(out.bytes.data()), n);
            conn_.on_written(n);
            return;
        }
        struct stat st {};
        require(::fstat(out.file_fd, &st) == 0, "a file piece has an open descriptor");
        require(out.file_length > 0 && out.file_offset + out.file_length <= static_cast<std::uint64_t>(st.st_size),
                "a file piece lies inside its file");
        std::string buf(split_.next(static_cast<std::size_t>(out.file_length)), '\0');
        const ssize_t got = ::pread(out.file_fd, buf.data(), buf.size(), static_cast<off_t>(out.file_offset));
        require(got > 0, "a file piece can be read");
        output.append(buf, 0, static_cast<std::size_t>(got));
        conn_.on_written(static_cast<std::size_t>(got));
    }

    http::Connection& conn_;
    const Plan& plan_;
    fuzz::Splitter split_;
};

// The exchanges answer a prefix of the oracle's heads, plus at most one final error that
// closes: the rejection of the bytes after them (or a timeout, or an EOF mid-request).
void check_against_oracle(const std::vector<Recorded>& ex, const std::vector<fuzz::ParsedResponse>& rs,
                          const fuzz::OracleReading& oracle, const Plan& plan) {
    const auto& heads = oracle.heads;
    for (std::size_t i = 0; i < ex.size(); ++i) {
        const bool matches = i < heads.size() && ex[i].method == heads[i].method &&
                             ex[i].target == heads[i].target;
        if (matches) continue;
        require(i + 1 == ex.size() && i == heads.size(),
                "every answered request is the parser's next request", ex[i].method + " " + ex[i].target);
        require(rs[i].status >= 400 && rs[i].close, "an unmatched response is an error that closes");
        require(oracle.error || plan.eof || plan.timeout, "an error response has a cause in the input");
    }
}

void check_exchanges(const Plan& plan, const std::vector<Recorded>& ex, const std::string& output,
                     http::Want final_want) {
    std::vector<bool> head_request;
    for (const Recorded& e : ex) {
        require(e.completed, "every exchange completed (the transport never failed)");
        head_request.push_back(e.method == "HEAD");
    }
    fuzz::ResponseBounds bounds;
    bounds.max_body = fuzz::FuzzRoot::big_size + 8192;
    const auto rs = fuzz::split_responses(output, head_request, bounds);
    for (std::size_t i = 0; i < rs.size(); ++i) {
        require(rs[i].status == ex[i].status, "the wire status is the logged status");
        require(rs[i].body_length == ex[i].body_bytes, "the wire body size is the logged size");
        require(!rs[i].close || i + 1 == rs.size(), "nothing is answered after Connection: close");
    }
    if (!rs.empty() && rs.back().close) require(final_want == http::Want::close, "Connection: close closes");
    require(ex.size() <= plan.wire.size() / 16 + 2, "no more responses than requests could fit");

    const fuzz::OracleReading oracle = fuzz::read_requests(plan.wire, fuzz_limits(), plan.eof);
    check_against_oracle(ex, rs, oracle, plan);
    if (final_want == http::Want::read && !plan.shutdown) {
        require(!oracle.error, "input the parser rejects closes the connection");
        require(ex.size() == oracle.heads.size(), "every request that arrived was answered");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < plan_bytes) return 0;
    const Plan plan = read_plan(data, size);
    const Sites& s = sites();
    Recorder recorder;
    http::Want final_want;
    std::string output;
    {
        http::Connection conn(plan.second_site ? s.second : s.first, fuzz_limits(), &recorder);
        Driver driver(conn, plan);
        driver.run();
        final_want = conn.want();
        output = std::move(driver.output);
    }
    require(output.find(fuzz::secret_marker) == std::string::npos, "nothing outside the root is served");
    check_exchanges(plan, recorder.list, output, final_want);
    return 0;
}
