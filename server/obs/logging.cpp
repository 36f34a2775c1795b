#include "server/obs/logging.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include "server/obs/log_file.hpp"
#include "server/obs/utc_time.hpp"

namespace server {
namespace {

// sd-daemon.h's SD_CRIT..SD_DEBUG, by spdlog level.
int syslog_priority(spdlog::level::level_enum l) noexcept {
    switch (l) {
        case spdlog::level::critical: return 2;
        case spdlog::level::err: return 3;
        case spdlog::level::warn: return 4;
        case spdlog::level::info: return 6;
        default: return 7;
    }
}

class FdSink final : public spdlog::sinks::sink {
public:
    FdSink(const std::string& target, bool journal)
        : file_("error log", target, STDERR_FILENO, false),
          journal_(journal),
          journal_now_(journal && target == "-") {}

    void log(const spdlog::details::log_msg& msg) override {
        thread_local std::string line;
        line.clear();
        auto out = std::back_inserter(line);
        if (journal_now_.load(std::memory_order_relaxed)) {
            fmt::format_to(out, "<{}>", syslog_priority(msg.level));
            // journald attributes the stream to the master: name any other process.
            if (const pid_t pid = ::getpid(); pid != master_) fmt::format_to(out, "[{}] ", pid);
        } else {
            const UtcTime t = utc_time(msg.time);
            const auto name = spdlog::level::to_string_view(msg.level);
            fmt::format_to(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z [{}] [{}] ", t.year,
                           t.month, t.day, t.hour, t.minute, t.second, t.millisecond,
                           std::string_view(name.data(), name.size()), ::getpid());
        }
        line.append(msg.payload.data(), msg.payload.size());
        line.push_back('\n');
        // One write(2) per line, no lock: O_APPEND (or a pipe) keeps lines whole.
        [[maybe_unused]] const auto n = ::write(file_.fd(), line.data(), line.size());
    }
    void flush() override {}  // nothing is buffered
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

    std::error_code reopen() { return file_.reopen(); }
    std::error_code retarget(const std::string& target) {
        if (const std::error_code ec = file_.retarget(target)) return ec;
        journal_now_.store(journal_ && target == "-", std::memory_order_relaxed);
        return {};
    }

private:
    LogFile file_;
    const bool journal_;             // stderr is the journal stream
    std::atomic<bool> journal_now_;  // ... and the error log goes to stderr
    pid_t master_ = ::getpid();
};

// The sink of the default logger; owned by it, so it lives as long as logging does.
FdSink* current_sink = nullptr;

}  // namespace

bool stderr_is_journal() noexcept {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (env == nullptr) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    return ::fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void init_logging(const std::string& level, const std::string& error_log) {
    auto sink = std::make_shared<FdSink>(error_log, stderr_is_journal());
    current_sink = sink.get();
    auto logger = std::make_shared<spdlog::logger>("polyhttpd", std::move(sink));
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(std::move(logger));
}

std::error_code reopen_error_log() {
    return current_sink != nullptr ? current_sink->reopen() : std::error_code{};
}

std::error_code reconfigure_logging(const std::string& level, const std::string& error_log) {
    spdlog::default_logger_raw()->set_level(spdlog::level::from_str(level));
    return current_sink != nullptr ? current_sink->retarget(error_log) : std::error_code{};
}

}  // namespace server
