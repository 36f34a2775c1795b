#include "server/obs/scoreboard.hpp"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <new>
#include <system_error>

#include <spdlog/fmt/fmt.h>

namespace server {

static_assert(std::atomic<WorkerState>::is_always_lock_free &&
                  std::atomic<pid_t>::is_always_lock_free &&
                  std::atomic<std::uint64_t>::is_always_lock_free,
              "the scoreboard is shared between processes: its atomics must be lock-free");

namespace {

constexpr std::size_t header_bytes = 64;  // Shared, alone on its cache line

std::int64_t steady_ns(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view state_name(WorkerState s) noexcept {
    switch (s) {
        case WorkerState::free: return "free";
        case WorkerState::starting: return "starting";
        case WorkerState::idle: return "idle";
        case WorkerState::reading: return "reading";
        case WorkerState::writing: return "writing";
        case WorkerState::keepalive: return "keepalive";
        case WorkerState::closing: return "closing";
    }
    return "free";
}

char state_letter(WorkerState s) noexcept {
    constexpr char letters[] = {'.', 'S', '_', 'R', 'W', 'K', 'C'};
    const auto i = static_cast<std::size_t>(s);
    return i < worker_state_count ? letters[i] : '?';
}

void ScoreSlot::set_client(std::string_view peer) noexcept {
    char buf[client_words * 8] = {};
    peer.copy(buf, std::min(peer.size(), sizeof buf - 1));
    for (std::size_t i = 0; i < client_words; ++i) {
        std::uint64_t w = 0;
        std::memcpy(&w, buf + i * 8, 8);
        client[i].store(w, std::memory_order_relaxed);
    }
}

void ScoreSlot::begin_request(std::chrono::steady_clock::time_point t) noexcept {
    request_start_ns.store(std::max<std::int64_t>(1, steady_ns(t)), std::memory_order_relaxed);
}

std::string ScoreSlot::client_text() const {
    char buf[client_words * 8 + 1] = {};
    for (std::size_t i = 0; i < client_words; ++i) {
        const std::uint64_t w = client[i].load(std::memory_order_relaxed);
        std::memcpy(buf + i * 8, &w, 8);
    }
    return std::string(buf);  // NUL-terminated: the last byte is never written
}

unsigned ScoreCounts::live() const noexcept {
    unsigned n = 0;
    for (std::size_t i = 1; i < worker_state_count; ++i) n += by_state[i];
    return n;
}

Scoreboard::Scoreboard(std::size_t slots)
    : size_(std::max<std::size_t>(slots, 1)),
      bytes_(header_bytes + size_ * sizeof(ScoreSlot)),
      mem_(::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    static_assert(sizeof(Shared) <= header_bytes && alignof(ScoreSlot) <= header_bytes);
    if (mem_ == MAP_FAILED)
        throw std::system_error(errno, std::generic_category(), "mmap scoreboard");
    if (!wake_) {
        const int err = errno;
        ::munmap(mem_, bytes_);
        throw std::system_error(err, std::generic_category(), "eventfd");
    }
    shared_ = new (mem_) Shared{};
    slots_ = static_cast<ScoreSlot*>(static_cast<void*>(static_cast<char*>(mem_) + header_bytes));
    for (std::size_t i = 0; i < size_; ++i) new (&slots_[i]) ScoreSlot{};
}

Scoreboard::~Scoreboard() { ::munmap(mem_, bytes_); }

std::optional<std::size_t> Scoreboard::claim(std::uint64_t generation) noexcept {
    for (std::size_t i = 0; i < size_; ++i) {
        ScoreSlot& s = slots_[i];
        if (s.state.load(std::memory_order_relaxed) != WorkerState::free) continue;
        s.pid.store(0, std::memory_order_relaxed);
        s.generation.store(generation, std::memory_order_relaxed);
        s.requests.store(0, std::memory_order_relaxed);
        s.request_start_ns.store(0, std::memory_order_relaxed);
        s.set_client({});
        s.set(WorkerState::starting);
        if (i >= used()) shared_->used.store(i + 1, std::memory_order_relaxed);
        return i;
    }
    return std::nullopt;
}

void Scoreboard::release(std::size_t i) noexcept {
    if (i < size_) slots_[i].set(WorkerState::free);
}

ScoreCounts Scoreboard::counts(std::optional<std::uint64_t> generation) const noexcept {
    ScoreCounts c;
    const std::size_t n = std::min(used(), size_);
    for (std::size_t i = 0; i < n; ++i) {
        const ScoreSlot& s = slots_[i];
        const WorkerState st = s.state.load(std::memory_order_relaxed);
        if (st == WorkerState::free) continue;
        if (generation && s.generation.load(std::memory_order_relaxed) != *generation) continue;
        ++c.by_state[static_cast<std::size_t>(st)];
    }
    return c;
}

void Scoreboard::after_leaving_idle() noexcept {
    const unsigned want = min_spare();
    if (want == 0) return;
    // Starting workers count as spare: they are idle in a moment, and the master forked them
    // for exactly this shortage.
    const ScoreCounts c = counts();
    if (c.of(WorkerState::idle) + c.of(WorkerState::starting) >= want) return;
    if (shared_->wake_pending.exchange(true, std::memory_order_relaxed)) return;  // already told
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof one);
}

void Scoreboard::take_wake() noexcept {
    std::uint64_t v = 0;
    [[maybe_unused]] const auto n = ::read(wake_.get(), &v, sizeof v);
    shared_->wake_pending.store(false, std::memory_order_relaxed);
}

void Scoreboard::render(std::string& out, std::string_view prefix,
                        std::chrono::steady_clock::time_point now) const {
    // Apache's one-letter line first (the slots up to the last in use), then a row per worker.
    std::string letters;
    for (std::size_t i = 0; i < std::min(used(), size_); ++i)
        letters.push_back(state_letter(slots_[i].state.load(std::memory_order_relaxed)));
    letters.erase(letters.find_last_not_of('.') + 1);
    fmt::format_to(std::back_inserter(out), "{}workers: {}\n", prefix, letters);
    fmt::format_to(std::back_inserter(out),
                   "{}slot pid generation state requests request_ms client\n", prefix);
    for (std::size_t i = 0; i < std::min(used(), size_); ++i) {
        const ScoreSlot& s = slots_[i];
        const WorkerState st = s.state.load(std::memory_order_relaxed);
        if (st == WorkerState::free) continue;
        const std::int64_t start = s.request_start_ns.load(std::memory_order_relaxed);
        const std::string ms =
            start == 0
                ? "-"
                : std::to_string(std::max<std::int64_t>(0, steady_ns(now) - start) / 1'000'000);
        const std::string client = s.client_text();
        fmt::format_to(std::back_inserter(out), "{}{} {} {} {} {} {} {}\n", prefix, i,
                       s.pid.load(std::memory_order_relaxed),
                       s.generation.load(std::memory_order_relaxed), state_name(st),
                       s.requests.load(std::memory_order_relaxed), ms,
                       client.empty() ? "-" : client);
    }
}

}  // namespace server
