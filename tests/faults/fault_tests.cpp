#include "fault_tests.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace ftest {
namespace {

std::vector<std::string> fd_targets(pid_t pid) {
    std::vector<std::string> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char buf[256];
        const ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), buf, sizeof buf);
        out.emplace_back(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    }
    ::closedir(d);
    return out;
}

double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string s((std::istreambuf_iterator<char>(in)), {});
    const auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(s.substr(close + 2));
    std::string skip;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

std::vector<pid_t> server_tree(pid_t server) {
    std::vector<pid_t> out{server};
    for (const mtest::ProcInfo& p : mtest::children_of(server))
        if (p.state != 'Z') out.push_back(p.pid);
    return out;
}

std::size_t open_fds(pid_t pid) { return fd_targets(pid).size(); }

std::size_t tree_fds(pid_t server) {
    std::size_t n = 0;
    for (const pid_t p : server_tree(server)) n += open_fds(p);
    return n;
}

std::size_t settled_tree_fds(pid_t server) {
    std::size_t last = tree_fds(server);
    mtest::eventually([&] {
        ::usleep(200'000);
        const std::size_t now = tree_fds(server);
        return std::exchange(last, now) == now;
    }, 3s);
    return last;
}

std::string describe_fds(pid_t server) {
    std::string out;
    for (const pid_t p : server_tree(server)) {
        out += std::to_string(p) + ":";
        for (const std::string& t : fd_targets(p)) out += " " + t;
        out += "\n";
    }
    return out;
}

std::size_t socket_fds(pid_t pid) {
    std::size_t n = 0;
    for (const std::string& t : fd_targets(pid)) n += t.rfind("socket:", 0) == 0 ? 1 : 0;
    return n;
}

double tree_cpu_seconds(pid_t server) {
    double total = 0;
    for (const pid_t p : server_tree(server)) total += cpu_seconds(p);
    return total;
}

bool limit_fds(pid_t server, std::size_t headroom) {
    bool ok = true;
    for (const pid_t p : server_tree(server)) {
        rlimit old{};
        if (::prlimit(p, RLIMIT_NOFILE, nullptr, &old) != 0) return false;
        const rlimit low{static_cast<rlim_t>(open_fds(p) + headroom), old.rlim_max};
        ok = ::prlimit(p, RLIMIT_NOFILE, &low, nullptr) == 0 && ok;
    }
    return ok;
}

int accept_queue(std::uint16_t port) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    std::getline(in, line);  // the header
    // "  sl  local_address rem_address   st tx_queue:rx_queue ..."; a listener's rx_queue is
    // the length of its accept queue.
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string slot, local, remote, state, queues;
        f >> slot >> local >> remote >> state >> queues;
        const auto colon = local.find(':');
        if (state != "0A" || colon == std::string::npos) continue;
        if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
        return static_cast<int>(std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16));
    }
    return -1;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

void write_file(const std::string& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

void replace_file(const std::string& path, std::string_view content) {
    const std::string tmp = path + ".new";
    write_file(tmp, content);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("rename " + tmp);
}

std::string other_pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    return s;
}

itest::HttpResponse get(std::uint16_t port, std::string_view target) {
    itest::HttpResponse r;
    try {
        itest::RawClient c(port);
        if (c.send(itest::get_request(target, "Connection: close\r\n")) &&
            c.read_response(r) == itest::ReadResult::ok)
            return r;
    } catch (const std::exception&) {
    }
    return itest::HttpResponse{};  // status 0
}

long long metric(std::uint16_t port, std::string_view path, std::string_view name) {
    const itest::HttpResponse r = get(port, path);
    if (r.status != 200) return -1;
    const std::string key = std::string(name) + " ";
    for (auto at = r.body.find(key); at != std::string::npos; at = r.body.find(key, at + 1)) {
        if (at == 0 || r.body[at - 1] == '\n') return std::atoll(r.body.c_str() + at + key.size());
    }
    return -1;
}

}  // namespace ftest
