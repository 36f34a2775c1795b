// The access log's line format and its escaping: a hostile header must never forge a line.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "server/obs/access_log.hpp"

namespace {

http::Exchange sample() {
    http::Exchange e;
    e.method = "GET";
    e.target = "/index.html?q=1";
    e.version_minor = 1;
    e.status = 200;
    e.body_bytes = 679;
    e.referer = "http://example.org/";
    e.user_agent = "curl/8.0";
    e.duration = std::chrono::microseconds(1234);
    return e;
}

}  // namespace

TEST_CASE("combined log format line", "[access_log]") {
    std::string line;
    server::format_combined(line, "192.0.2.7:51234", sample());
    const std::regex shape(
        R"(192\.0\.2\.7 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
        R"("GET /index\.html\?q=1 HTTP/1\.1" 200 679 "http://example\.org/" "curl/8\.0" 1234\n)");
    CHECK(std::regex_match(line, shape));
}

TEST_CASE("IPv6 peers keep their brackets, lose the port", "[access_log]") {
    std::string line;
    server::format_combined(line, "[::1]:8080", sample());
    CHECK(line.rfind("[::1] - - [", 0) == 0);
}

TEST_CASE("quotes, backslashes and control bytes are escaped", "[access_log]") {
    http::Exchange e = sample();
    e.user_agent = "evil\"\n127.0.0.1 - - \\x";
    e.referer = "";
    e.target = std::string_view("/a\r\nb\x01", 7);
    std::string line;
    server::format_combined(line, "10.0.0.1:1", e);
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    CHECK(line.find("evil\\x22\\x0A127.0.0.1 - - \\x5Cx") != std::string::npos);
    CHECK(line.find("/a\\x0D\\x0Ab\\x01") != std::string::npos);
    CHECK(line.find(" 679 \"-\" \"evil") != std::string::npos);  // empty referer is "-"
}

TEST_CASE("the access log appends whole lines to its file", "[access_log]") {
    char path[] = "/tmp/polyhttpd-accesslog-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    {
        const server::AccessLog log(path);
        REQUIRE(log.enabled());
        server::ExchangeLog peer(log, server::Stats::shared(), "127.0.0.1:1");
        peer.exchange_done(sample());
        peer.exchange_done(sample());
    }
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    ::unlink(path);
    const std::string text = ss.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    CHECK(text.rfind("127.0.0.1 - - [", 0) == 0);
    CHECK_FALSE(server::AccessLog("off").enabled());
    CHECK_THROWS(server::AccessLog("/nonexistent-dir/x.log"));
}

TEST_CASE("common log format: CLF plus the duration", "[access_log]") {
    std::string line;
    server::format_common(line, "192.0.2.7:51234", sample());
    const std::regex shape(R"(192\.0\.2\.7 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
                           R"("GET /index\.html\?q=1 HTTP/1\.1" 200 679 1234\n)");
    CHECK(std::regex_match(line, shape));
}

TEST_CASE("json lines name every field and stay valid JSON for hostile bytes", "[access_log]") {
    http::Exchange e = sample();
    e.user_agent = std::string_view("a\"b\\c\n\x01\xff", 8);
    e.referer = "";
    e.version_minor = 0;
    std::string line;
    server::format_json(line, "[::1]:8080", e);
    const std::regex shape(
        R"(\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","remote_addr":"\[::1\]","method":"GET",)"
        R"("target":"/index\.html\?q=1","protocol":"HTTP/1\.0","status":200,"bytes":679,)"
        R"("referer":"","user_agent":"a\\"b\\\\c\\u000A\\u0001\\u00FF","duration_us":1234\}\n)");
    CHECK(std::regex_match(line, shape));
    e.completed = false;
    line.clear();
    server::format_json(line, "10.0.0.1:1", e);
    CHECK(line.find(",\"completed\":false}\n") != std::string::npos);
}

TEST_CASE("format names", "[access_log]") {
    CHECK(server::parse_access_log_format("common") == server::AccessLogFormat::common);
    CHECK(server::parse_access_log_format("combined") == server::AccessLogFormat::combined);
    CHECK(server::parse_access_log_format("json") == server::AccessLogFormat::json);
    CHECK_FALSE(server::parse_access_log_format("xml").has_value());
}

TEST_CASE("reconfigure switches the format and the file live", "[access_log]") {
    char dir[] = "/tmp/polyhttpd-accesslog-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string a = std::string(dir) + "/a.log", b = std::string(dir) + "/b.log";
    server::AccessLog log(a);
    log.write("127.0.0.1:1", sample());
    REQUIRE_FALSE(log.reconfigure(b, server::AccessLogFormat::json));
    log.write("127.0.0.1:1", sample());
    REQUIRE_FALSE(log.reconfigure("off", server::AccessLogFormat::json));
    CHECK_FALSE(log.enabled());
    log.write("127.0.0.1:1", sample());
    CHECK(log.reconfigure(std::string(dir) + "/no/such/dir.log", server::AccessLogFormat::common));
    auto read = [](const std::string& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string ta = read(a), tb = read(b);
    CHECK(ta.rfind("127.0.0.1 - - [", 0) == 0);
    CHECK(std::count(ta.begin(), ta.end(), '\n') == 1);
    CHECK(tb.rfind("{\"time\":", 0) == 0);
    CHECK(std::count(tb.begin(), tb.end(), '\n') == 1);
    std::filesystem::remove_all(dir);
}

namespace {

std::string json_user_agent(std::string_view ua) {
    http::Exchange e = sample();
    e.user_agent = ua;
    std::string line;
    server::format_json(line, "10.0.0.1:1", e);
    const std::string_view key = ",\"user_agent\":\"";
    const auto from = line.find(key) + key.size();
    return line.substr(from, line.find("\",\"duration_us\"") - from);
}

}  // namespace

TEST_CASE("json lines keep valid UTF-8 as UTF-8 and escape only what is not", "[access_log]") {
    // Valid text passes through: 2-, 3- and 4-byte sequences, the highest code point.
    CHECK(json_user_agent("\xc3\xbcn\xc3\xaf") == "\xc3\xbcn\xc3\xaf");    // ünï
    CHECK(json_user_agent("\xe2\x82\xac 5") == "\xe2\x82\xac 5");          // €
    CHECK(json_user_agent("a\xf0\x9f\x98\x80z") == "a\xf0\x9f\x98\x80z");  // U+1F600
    CHECK(json_user_agent("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf");      // U+10FFFF
    CHECK(json_user_agent("\xc2\xa0\xef\xbf\xbd") == "\xc2\xa0\xef\xbf\xbd");
    // Controls: C0, DEL and C1 (U+0085 is C2 85) are escaped; quotes and backslashes too.
    CHECK(json_user_agent("a\tb\x7f\xc2\x85\"\\") == "a\\u0009b\\u007F\\u0085\\\"\\\\");
    // Invalid bytes: each one \u00XX of the byte, and what follows is read afresh.
    CHECK(json_user_agent("\xff") == "\\u00FF");
    CHECK(json_user_agent("\xc3") == "\\u00C3");                        // cut short at the end
    CHECK(json_user_agent("\xc3z") == "\\u00C3z");                      // cut short mid-string
    CHECK(json_user_agent("\xe2\x82z") == "\\u00E2\\u0082z");           // 3-byte cut short
    CHECK(json_user_agent("\xf0\x9f\x98") == "\\u00F0\\u009F\\u0098");  // 4-byte cut short
    CHECK(json_user_agent("\x80\xbf") == "\\u0080\\u00BF");             // lone continuations
    CHECK(json_user_agent("\xc0\xae\xc1\xbf") == "\\u00C0\\u00AE\\u00C1\\u00BF");  // overlong
    CHECK(json_user_agent("\xe0\x80\xae") == "\\u00E0\\u0080\\u00AE");             // overlong
    CHECK(json_user_agent("\xf0\x80\x80\xae") == "\\u00F0\\u0080\\u0080\\u00AE");  // overlong
    CHECK(json_user_agent("\xed\xa0\x80") == "\\u00ED\\u00A0\\u0080");  // surrogate U+D800
    CHECK(json_user_agent("\xed\xbf\xbf") == "\\u00ED\\u00BF\\u00BF");  // surrogate U+DFFF
    CHECK(json_user_agent("\xf4\x90\x80\x80") == "\\u00F4\\u0090\\u0080\\u0080");  // > U+10FFFF
    CHECK(json_user_agent("\xf5\x80\x80\x80") == "\\u00F5\\u0080\\u0080\\u0080");
    CHECK(json_user_agent("\xc3\xbc\xff\xc3\xbc") == "\xc3\xbc\\u00FF\xc3\xbc");  // mixed
    CHECK(json_user_agent("\xed\x9f\xbf") == "\xed\x9f\xbf");  // U+D7FF, just below them
}
