#include "model_tests.hpp"

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef POLYHTTPD_BINARY
#error "POLYHTTPD_BINARY must name the server binary"
#endif

namespace mtest {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// State and ppid from /proc/PID/stat; the command name may hold spaces and parentheses, so
// the fields are counted from the last ')'.
bool stat_of(pid_t pid, char& state, pid_t& ppid) {
    const std::string s = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = s.rfind(')');
    if (close == std::string::npos || close + 4 >= s.size()) return false;
    std::istringstream fields(s.substr(close + 2));
    long parent = 0;
    fields >> state >> parent;
    ppid = static_cast<pid_t>(parent);
    return static_cast<bool>(fields);
}

std::vector<pid_t> all_pids() {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return out;
    while (const dirent* e = ::readdir(d)) {
        char* end = nullptr;
        const long v = std::strtol(e->d_name, &end, 10);
        if (end != e->d_name && *end == '\0') out.push_back(static_cast<pid_t>(v));
    }
    ::closedir(d);
    return out;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 0x9E3779B9u;
    for (auto& c : s) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xffu);
    }
    return s;
}

}  // namespace

std::vector<ProcInfo> children_of(pid_t parent) {
    std::vector<ProcInfo> out;
    for (const pid_t pid : all_pids()) {
        char state = '?';
        pid_t ppid = 0;
        if (stat_of(pid, state, ppid) && ppid == parent) out.push_back({pid, state});
    }
    return out;
}

std::size_t zombies_of(pid_t parent) {
    std::size_t n = 0;
    for (const ProcInfo& p : children_of(parent)) n += p.state == 'Z' ? 1 : 0;
    return n;
}

bool running(pid_t pid) {
    char state = '?';
    pid_t ppid = 0;
    return stat_of(pid, state, ppid) && state != 'Z';
}

int thread_count(pid_t pid) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
    }
    return 0;
}

pid_t server_pid() {
    const fs::path binary = fs::canonical(POLYHTTPD_BINARY);
    pid_t found = -1;
    int count = 0;
    for (const ProcInfo& p : children_of(::getpid())) {
        std::error_code ec;
        const fs::path exe = fs::read_symlink("/proc/" + std::to_string(p.pid) + "/exe", ec);
        if (ec || exe != binary) continue;
        found = p.pid;
        ++count;
    }
    return count == 1 ? found : -1;
}

BigRoot::BigRoot() : big_(pattern(big_size)) {
    std::string tmpl = (fs::temp_directory_path() / "polyhttpd-mtest-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    std::ofstream(path_ + "/index.html") << "hello\n";
    std::ofstream(path_ + "/big.bin", std::ios::binary) << big_;
}

BigRoot::~BigRoot() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

int get_status(std::uint16_t port, std::chrono::milliseconds timeout) {
    try {
        itest::RawClient c(port, itest::ClientOptions{.rcvbuf = 0, .connect_timeout = timeout});
        if (!c.send(itest::get_request("/", "Connection: close\r\n"), timeout)) return 0;
        itest::HttpResponse r;
        if (c.read_response(r, false, timeout) != itest::ReadResult::ok) return 0;
        return r.status;
    } catch (const std::exception&) {
        return 0;
    }
}

int burst(std::uint16_t port, int total, int parallel) {
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < parallel; ++t) {
        threads.emplace_back([&] {
            while (next.fetch_add(1) < total) {
                if (get_status(port) != 200) failed.fetch_add(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    return failed.load();
}

}  // namespace mtest
