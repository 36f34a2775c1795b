#include "server/proc/children.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/sys/fork_gate.hpp"

namespace server {
namespace {

// How long children have to abort their connections after the cut order (SIGUSR2) before
// they are killed: aborting is a close and an access-log line, not a wait. Well inside the
// control thread's backstop (server/proc/control.hpp: it exits the master 1 s after the
// shutdown timeout), so the cut is logged rather than overtaken.
constexpr std::chrono::milliseconds cut_grace{500};

// Read by signal handlers, hence plain ints set before the handlers can run.
int chld_pipe[2] = {-1, -1};  // master: SIGCHLD self-pipe
int child_stop_w = -1;        // child: write end of its private stop pipe
int child_cut_w = -1;         // child: write end of its private cut pipe (SIGUSR2)
int child_retire[2] = {-1, -1};  // child: its retire pipe (SIGWINCH)

void on_sigchld(int) {
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(chld_pipe[1], &byte, 1);  // full pipe: fine
    errno = saved;
}

void on_child_stop(int) {
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(child_stop_w, &byte, 1);
    errno = saved;
}

void on_child_cut(int) {
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(child_cut_w, &byte, 1);
    errno = saved;
}

void on_child_retire(int) {
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(child_retire[1], &byte, 1);
    errno = saved;
}

bool set_handler(int sig, void (*fn)(int), int flags) {
    struct sigaction sa {};
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    return ::sigaction(sig, &sa, nullptr) == 0;
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

bool readable(int fd) {
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    return poly::retry_eintr([&] { return ::poll(&p, 1, 0); }) > 0;
}

sigset_t spawn_signals() {
    sigset_t s;
    sigemptyset(&s);
    for (const int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH})
        sigaddset(&s, sig);
    return s;
}

// Puts a new private pipe's read end in place of `inherited` (same descriptor number, so code
// that captured it keeps working) and stores its write end in `write_end`. Returns whether
// `inherited` was readable before (the master's state when we were forked), or nothing.
std::optional<bool> replace_pipe(int inherited, int& write_end) {
    int p[2];
    if (inherited < 0 || ::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return std::nullopt;
    const bool was_readable = readable(inherited);
    if (::dup3(p[0], inherited, O_CLOEXEC) < 0) {
        ::close(p[0]);
        ::close(p[1]);
        return std::nullopt;
    }
    ::close(p[0]);
    write_end = p[1];
    return was_readable;
}

// Runs in the new child with the spawn signals still blocked, so none of the master's
// handlers can run here before the child's own are in place.
bool become_child(const Shutdown& stop, pid_t parent) {
    set_handler(SIGCHLD, SIG_DFL, 0);
    close_fd(chld_pipe[0]);
    close_fd(chld_pipe[1]);
    // Reload and log reopening are the master's business; the default action would kill us.
    for (const int sig : {SIGHUP, SIGUSR1}) set_handler(sig, SIG_IGN, 0);

    const std::optional<bool> stopping = replace_pipe(stop.wake_fd(), child_stop_w);
    const std::optional<bool> cutting = replace_pipe(stop.urgent_fd(), child_cut_w);
    if (!stopping || !cutting || ::pipe2(child_retire, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    if (!set_handler(SIGTERM, on_child_stop, SA_RESTART) ||
        !set_handler(SIGINT, on_child_stop, SA_RESTART) ||
        !set_handler(SIGUSR2, on_child_cut, SA_RESTART) ||
        !set_handler(SIGWINCH, on_child_retire, SA_RESTART))
        return false;
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (*stopping || ::getppid() != parent) on_child_stop(0);  // raced with the master's end
    if (*cutting) on_child_cut(0);                             // forked after a second stop signal
    return true;
}

}  // namespace

Children::Children() {
    if (chld_pipe[0] >= 0) throw std::logic_error("server::Children: one instance per process");
    if (::pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    // SA_NOCLDSTOP: a stopped child (SIGSTOP, a debugger) is not an exit.
    if (!set_handler(SIGCHLD, on_sigchld, SA_RESTART | SA_NOCLDSTOP)) {
        const int err = errno;
        close_fd(chld_pipe[0]);
        close_fd(chld_pipe[1]);
        throw std::system_error(err, std::generic_category(), "sigaction SIGCHLD");
    }
}

Children::~Children() {
    set_handler(SIGCHLD, SIG_DFL, 0);
    close_fd(chld_pipe[0]);
    close_fd(chld_pipe[1]);
}

int Children::wake_fd() const noexcept { return chld_pipe[0]; }

int Children::retire_fd() noexcept { return child_retire[0]; }

pid_t Children::spawn(const Shutdown& stop, const std::function<int()>& body) {
    const sigset_t block = spawn_signals();
    sigset_t old;
    ::pthread_sigmask(SIG_BLOCK, &block, &old);
    const pid_t parent = ::getpid();
    std::unique_lock gate(fork_gate());  // our other threads waiting, holding no lock
    const pid_t pid = ::fork();
    gate.unlock();  // in the child too: its copy of the gate was locked by this thread
    if (pid == 0) {
        int code = 70;  // EX_SOFTWARE
        if (become_child(stop, parent)) {
            ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
            // A master that waits for signals with sigwait() keeps them blocked; we need them.
            ::pthread_sigmask(SIG_UNBLOCK, &block, nullptr);
            try {
                code = body();
            } catch (...) {
                code = 70;  // never let an exception unwind into the master's code
            }
        }
        ::_exit(code);
    }
    const int saved = errno;
    if (pid > 0) live_.insert(pid);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return pid;
}

void Children::reap(const std::function<void(pid_t, int)>& on_exit) {
    // Empty the pipe first: an exit after the waitpid loop then leaves a byte for next time.
    char buf[256];
    while (::read(chld_pipe[0], buf, sizeof buf) > 0) {
    }
    for (;;) {
        int status = 0;
        // waitpid(-1): one call per exit rather than one per live child; a child we did not
        // spawn (none exist today) would be reaped and ignored.
        const pid_t pid = poly::retry_eintr([&] { return ::waitpid(-1, &status, WNOHANG); });
        if (pid <= 0) return;  // 0: children left, none ended; -1 ECHILD: none left
        if (live_.erase(pid) != 0) on_exit(pid, status);
    }
}

void Children::signal(pid_t pid, int sig) const {
    // Only pids not yet reaped: a zombie's pid cannot be reused, so this never hits a stranger.
    if (live_.count(pid) != 0) ::kill(pid, sig);
}

void Children::signal_all(int sig) const {
    for (const pid_t pid : live_) ::kill(pid, sig);
}

std::size_t Children::wait_all(std::chrono::steady_clock::time_point deadline,
                               const std::function<void(pid_t, int)>& on_exit, int interrupt_fd) {
    using namespace std::chrono;
    for (;;) {
        reap(on_exit);
        if (live_.empty()) return 0;
        const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
        if (left <= 0 || readable(interrupt_fd)) return live_.size();
        pollfd p[2] = {{chld_pipe[0], POLLIN, 0}, {interrupt_fd, POLLIN, 0}};
        const int ms = static_cast<int>(std::min<long long>(left, 60'000));
        poly::retry_eintr([&] { return ::poll(p, 2, ms); });
    }
}

std::int64_t Children::connections_held(const Stats& stats) const {
    std::int64_t held = 0;
    for (const pid_t pid : live_) {
        const auto i = static_cast<std::size_t>(pid);
        if (i < stats.pid_slots) held += stats.active_by_pid[i].load(std::memory_order_relaxed);
    }
    return held;
}

Children::Outcome Children::stop_all(std::chrono::milliseconds grace, const Shutdown& stop,
                                     const Stats& stats,
                                     const std::function<void(pid_t, int)>& on_exit) {
    using clock = std::chrono::steady_clock;
    Outcome out;
    signal_all(SIGTERM);
    if (wait_all(clock::now() + grace, on_exit, stop.urgent_fd()) == 0) return out;
    // Counted before the order: a child that ends its connection now still had it.
    out.cut = static_cast<std::size_t>(std::max<std::int64_t>(connections_held(stats), 0));
    signal_all(SIGUSR2);
    out.killed = wait_all(clock::now() + cut_grace, on_exit);
    if (out.killed == 0) return out;
    signal_all(SIGKILL);
    wait_all(clock::now() + std::chrono::seconds(5), on_exit);  // SIGKILL is not instant
    spdlog::warn("{} child process{} did not end when told and {} killed", out.killed,
                 out.killed == 1 ? "" : "es", out.killed == 1 ? "was" : "were");
    return out;
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* abbrev = ::sigabbrev_np(WTERMSIG(status));
        std::string s = "killed by ";
        s += abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(WTERMSIG(status));
        if (WCOREDUMP(status)) s += " (core dumped)";
        return s;
    }
    return "status " + std::to_string(status);
}

}  // namespace server
