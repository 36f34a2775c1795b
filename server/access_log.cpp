#include "access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <system_error>

namespace server {
namespace {

// Escapes what a log line must not carry raw: quotes, backslashes and control bytes, so a
// hostile User-Agent cannot forge a line or a field (like nginx's escaping).
void append_escaped(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.push_back('-');
        return;
    }
    static constexpr char hex[] = "0123456789ABCDEF";
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

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// "[10/Oct/2000:13:55:36 +0000]", in UTC so processes agree and no TZ lookup is needed.
void append_time(std::string& out) {
    thread_local std::time_t cached = 0;
    thread_local char buf[32];
    thread_local std::size_t len = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cached) {
        std::tm tm{};
        ::gmtime_r(&now, &tm);
        static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const int n = std::snprintf(buf, sizeof buf, "[%02d/%s/%04d:%02d:%02d:%02d +0000]",
                                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                                    tm.tm_hour, tm.tm_min, tm.tm_sec);
        len = n > 0 ? static_cast<std::size_t>(n) : 0;
        cached = now;
    }
    out.append(buf, len);
}

}  // namespace

AccessLog::AccessLog(const std::string& target) {
    if (target == "off") return;
    if (target == "-") {
        fd_ = STDOUT_FILENO;
        return;
    }
    owned_.reset(::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
    if (!owned_)
        throw std::system_error(errno, std::generic_category(), "access log " + target);
    fd_ = owned_.get();
}

void format_combined(std::string& out, std::string_view peer, const http::Exchange& e) {
    const auto colon = peer.rfind(':');  // the log names the host, not the port
    out.append(colon == std::string_view::npos ? peer : peer.substr(0, colon));
    out.append(" - - ");
    append_time(out);
    out.append(" \"");
    append_escaped(out, e.method);
    out.push_back(' ');
    append_escaped(out, e.target);
    out.append(e.version_minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ");
    append_number(out, static_cast<std::uint64_t>(e.status));
    out.push_back(' ');
    append_number(out, e.body_bytes);
    out.append(" \"");
    append_escaped(out, e.referer);
    out.append("\" \"");
    append_escaped(out, e.user_agent);
    out.append("\" ");
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(e.duration).count();
    append_number(out, static_cast<std::uint64_t>(us < 0 ? 0 : us));  // like Apache %D
    out.push_back('\n');
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
    if (fd_ < 0) return;
    thread_local std::string line;
    line.clear();
    try {
        format_combined(line, peer, e);
    } catch (...) {
        return;  // out of memory: drop the line rather than the connection
    }
    // One write per line: O_APPEND makes it atomic against other writers of the file.
    [[maybe_unused]] const auto n = ::write(fd_, line.data(), line.size());
}

}  // namespace server
