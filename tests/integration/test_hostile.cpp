// Hostile inputs, for every model: each row of hostile_inputs() on its own connection, then
// proof that the server still serves (and still stops cleanly).
#include <algorithm>
#include <cstdio>

#include "hostile_inputs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

constexpr std::string_view passwd_marker = "root:x:0:0";

// Control and non-ASCII bytes as \xNN, so the context of a failure is readable.
std::string printable(std::string_view s, std::size_t max = 300) {
    std::string out;
    for (const char ch : s.substr(0, max)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c >= 0x20 && c < 0x7f) out.push_back(ch);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > max) out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::string statuses(const std::vector<HttpResponse>& rs) {
    std::string s;
    for (const auto& r : rs) s += std::to_string(r.status) + ' ';
    return s.empty() ? "none" : s;
}

void check_responses(const HostileInput& row, const std::vector<HttpResponse>& got) {
    if (row.responses == 0) REQUIRE_FALSE(got.empty());
    else REQUIRE(got.size() == row.responses);
    const HttpResponse& last = got.back();
    INFO("last response head:\n" << last.head);
    std::string acceptable;
    for (const int s : row.statuses) acceptable += std::to_string(s) + ' ';
    INFO("acceptable final statuses: " << acceptable);
    const bool status_ok =
        std::find(row.statuses.begin(), row.statuses.end(), last.status) != row.statuses.end();
    CHECK(status_ok);
    std::size_t wire = 0;
    for (const auto& r : got) {
        wire += r.wire_size();
        CHECK(r.body.find(passwd_marker) == std::string::npos);
        CHECK(r.head.find(passwd_marker) == std::string::npos);
        CHECK(r.body != WebRoot::numbered_body(smuggling_probe_index));
    }
    if (row.max_wire != 0) {
        INFO("response bytes: " << wire << ", bound " << row.max_wire);
        CHECK(wire <= row.max_wire);
    }
    if (row.must_close && last.status >= 400) CHECK(last.has_token("Connection", "close"));
}

void run_row(std::uint16_t port, const HostileInput& row) {
    INFO("hostile input: " << row.name);
    INFO("bytes sent: " << printable(row.bytes));
    RawClient c(port);
    const bool sent = c.send(row.bytes);  // may fail once the server has refused and closed
    std::vector<HttpResponse> got;
    ReadResult last = ReadResult::ok;
    const std::size_t limit = row.responses == 0 ? 8 : row.responses;
    while (got.size() < limit) {
        HttpResponse r;
        if ((last = c.read_response(r)) != ReadResult::ok) break;
        got.push_back(std::move(r));
    }
    INFO("sent all: " << (sent ? "yes" : "no (" + c.error() + ")"));
    INFO("statuses: " << statuses(got) << "; then " << to_string(last) << ": " << c.error());
    INFO("unparsed bytes: " << printable(c.pending()));
    check_responses(row, got);
    if (row.must_close) {
        CHECK(c.wait_closed());
        CHECK(c.pending().empty());
    } else if (row.responses > 1) {
        c.wait_closed(300ms);  // collects any extra (smuggled) response
        CHECK(c.pending().empty());
    }
}

}  // namespace

TEST_CASE("hostile inputs are refused without harm", "[integration][hostile]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model).port();
    REQUIRE(hostile_inputs().size() >= 60);  // the catalogue issue 9 asks for

    for (const HostileInput& row : hostile_inputs()) {
        DYNAMIC_SECTION("hostile: " << row.name) { run_row(port, row); }
    }
    SECTION("the server still answers a normal GET afterwards") {
        RawClient c(port);
        for (int i = 0; i < 3; ++i) {
            const HttpResponse r = roundtrip(c, get_request("/page.html"));
            CHECK(r.status == 200);
            CHECK(r.body == web_root().page_body);
        }
    }
    CLEAN_SHUTDOWN_SECTION()
}
