#include "server/obs/access_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <spdlog/spdlog.h>

#include "base/decimal.hpp"
#include "base/utf8.hpp"
#include "config/config.hpp"
#include "server/obs/utc_time.hpp"

namespace server {
namespace {

constexpr char hex[] = "0123456789ABCDEF";

// Escapes what a log line must not carry raw: quotes, backslashes and control bytes, so a
// hostile User-Agent cannot forge a line or a field (like nginx's escaping).
void append_escaped(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.push_back('-');
        return;
    }
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\' || u < 0x20 || u >= 0x7f) {
            out.append("\\x");
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        } else {
            out.push_back(c);
        }
    }
}

void append_u00(std::string& out, unsigned char u) {
    out.append("\\u00");
    out.push_back(hex[u >> 4]);
    out.push_back(hex[u & 15]);
}

// A JSON string body (RFC 8259). Valid UTF-8 passes through as UTF-8, so "ünï" stays "ünï".
// Escaped: '"', '\\', C0 controls, DEL and C1 controls (U+0080..U+009F), which a terminal
// showing the log could act on; and each byte of an invalid sequence, as \u00XX of the byte
// (an invalid 0xFF is logged as \u00FF). Why not U+FFFD: the byte a client sent is evidence
// in an access log and survives this way, and since valid text other than C1 controls is
// never escaped, a \u00A0..\u00FF in the log always means that raw byte; the line stays
// valid JSON and valid UTF-8 whatever a client sent.
void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    while (!s.empty()) {
        const auto u = static_cast<unsigned char>(s.front());
        const std::size_t n = poly::utf8_length(s);
        if (u == '"' || u == '\\') {
            out.push_back('\\');
            out.push_back(s.front());
        } else if (n == 0 || u < 0x20 || u == 0x7f) {
            append_u00(out, u);
        } else if (n == 2 && u == 0xC2 && static_cast<unsigned char>(s[1]) < 0xA0) {
            append_u00(out, static_cast<unsigned char>(s[1]));  // C1 control U+0080..U+009F
        } else {
            out.append(s.substr(0, n));
        }
        s.remove_prefix(n == 0 ? 1 : n);
    }
    out.push_back('"');
}

std::uint64_t duration_us(const http::Exchange& e) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(e.duration).count();
    return static_cast<std::uint64_t>(us < 0 ? 0 : us);
}

// The log names the host, not the port.
std::string_view peer_host(std::string_view peer) {
    const auto colon = peer.rfind(':');
    return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

// "[10/Oct/2000:13:55:36 +0000]" (clf) or "2000-10-10T13:55:36Z" (iso), in UTC so processes
// agree; cached per thread for the current second.
void append_time(std::string& out, bool iso) {
    thread_local std::time_t cached = 0;
    thread_local char clf[64];
    thread_local char iso8601[48];  // room for any int year, so no truncation is possible
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    if (secs != cached) {
        static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const UtcTime t = utc_time(now);
        std::snprintf(clf, sizeof clf, "[%02u/%s/%04d:%02u:%02u:%02u +0000]", t.day,
                      months[(t.month + 11) % 12], t.year, t.hour, t.minute, t.second);
        std::snprintf(iso8601, sizeof iso8601, "%04d-%02u-%02uT%02u:%02u:%02uZ", t.year, t.month,
                      t.day, t.hour, t.minute, t.second);
        cached = secs;
    }
    out.append(iso ? iso8601 : clf);
}

void append_clf_head(std::string& out, std::string_view peer, const http::Exchange& e) {
    out.append(peer_host(peer));
    out.append(" - - ");
    append_time(out, false);
    out.append(" \"");
    append_escaped(out, e.method);
    out.push_back(' ');
    append_escaped(out, e.target);
    out.append(e.version_minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ");
    poly::append_decimal(out, static_cast<std::uint64_t>(e.status));
    out.push_back(' ');
    poly::append_decimal(out, e.body_bytes);
}

}  // namespace

std::optional<AccessLogFormat> parse_access_log_format(std::string_view name) noexcept {
    // The names are config's (the option's choices); the enum follows their order.
    const auto& names = config::access_log_formats;
    static_assert(names.size() == 3 && static_cast<int>(AccessLogFormat::json) == 2);
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<AccessLogFormat>(it - names.begin());
}

AccessLog::AccessLog(const std::string& target, AccessLogFormat format)
    : file_("access log", target, STDOUT_FILENO, true), format_(format) {}

std::error_code AccessLog::reconfigure(const std::string& target, AccessLogFormat format) {
    if (const std::error_code ec = file_.retarget(target)) return ec;
    format_.store(format, std::memory_order_relaxed);
    return {};
}

void format_common(std::string& out, std::string_view peer, const http::Exchange& e) {
    append_clf_head(out, peer, e);
    out.push_back(' ');
    poly::append_decimal(out, duration_us(e));
    out.push_back('\n');
}

void format_combined(std::string& out, std::string_view peer, const http::Exchange& e) {
    append_clf_head(out, peer, e);
    out.append(" \"");
    append_escaped(out, e.referer);
    out.append("\" \"");
    append_escaped(out, e.user_agent);
    out.append("\" ");
    poly::append_decimal(out, duration_us(e));  // like Apache %D
    out.push_back('\n');
}

void format_json(std::string& out, std::string_view peer, const http::Exchange& e) {
    out.append("{\"time\":\"");
    append_time(out, true);
    out.append("\",\"remote_addr\":");
    append_json_string(out, peer_host(peer));
    out.append(",\"method\":");
    append_json_string(out, e.method);
    out.append(",\"target\":");
    append_json_string(out, e.target);
    out.append(e.version_minor == 0 ? ",\"protocol\":\"HTTP/1.0\"" : ",\"protocol\":\"HTTP/1.1\"");
    out.append(",\"status\":");
    poly::append_decimal(out, static_cast<std::uint64_t>(e.status));
    out.append(",\"bytes\":");
    poly::append_decimal(out, e.body_bytes);
    out.append(",\"referer\":");
    append_json_string(out, e.referer);
    out.append(",\"user_agent\":");
    append_json_string(out, e.user_agent);
    if (!e.site.empty()) {  // the site that answered (virtual hosts); none for a bad request
        out.append(",\"site\":");
        append_json_string(out, e.site);
    }
    out.append(",\"duration_us\":");
    poly::append_decimal(out, duration_us(e));
    out.append(e.completed ? "}\n" : ",\"completed\":false}\n");
}

ExchangeLog::ExchangeLog(const AccessLog& log, Stats& stats, std::string_view peer) noexcept
    : log_(log), stats_(stats), peer_len_(std::min(peer.size(), sizeof peer_)) {
    std::copy_n(peer.data(), peer_len_, peer_);
}

void ExchangeLog::exchange_done(const http::Exchange& e) noexcept {
    stats_.count_request(e.status, e.body_bytes, e.duration);
    log_.write({peer_, peer_len_}, e);
}

void AccessLog::write(std::string_view peer, const http::Exchange& e) const noexcept {
    const int fd = file_.fd();
    if (fd < 0) return;
    thread_local std::string line;
    line.clear();
    try {
        switch (format_.load(std::memory_order_relaxed)) {
            case AccessLogFormat::common: format_common(line, peer, e); break;
            case AccessLogFormat::combined: format_combined(line, peer, e); break;
            case AccessLogFormat::json: format_json(line, peer, e); break;
        }
    } catch (...) {
        return;  // out of memory: drop the line rather than the connection
    }
    // One write per line: O_APPEND makes it atomic against other writers of the file.
    const ssize_t n = ::write(fd, line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size())) report_failure(n < 0 ? errno : ENOSPC);
}

// A full disk (ENOSPC, EDQUOT), a reader that went away (EPIPE: SIGPIPE is ignored), an I/O
// error: the request was answered and must stay answered, so the line is dropped and said so,
// at most every 10 s (the throttle), never once per request. A short write (the disk filled in
// the middle of the line) is reported as ENOSPC; the torn line stays in the file.
void AccessLog::report_failure(int err) const noexcept {
    if (const std::uint64_t failures = failure_log_.admit())
        // No path in the message: a reload may be changing it on the control thread.
        spdlog::error("access log: {}; dropping lines ({} failed writes since the last report)",
                      std::strerror(err), failures);
}

}  // namespace server
