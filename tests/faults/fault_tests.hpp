// Helpers of the fault tests (tests/faults, issue 9): what the server's processes hold and
// spend, read from /proc; lowering a running server's descriptor limit; files changed under
// a running server; the metrics gauge. They build on the integration suite (ServerProcess,
// RawClient, the model list) and the model tests (children_of, BigRoot, eventually).
// Main (Catch2) thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model_tests.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace ftest {

using namespace std::chrono_literals;

// The server and its live (non-zombie) children: a fork child, prefork workers.
std::vector<pid_t> server_tree(pid_t server);
// Open descriptors of one process (its threads share them), and of the whole tree.
std::size_t open_fds(pid_t pid);
std::size_t tree_fds(pid_t server);
// tree_fds once it stopped changing (the same over 200 ms; at most 3 s): a baseline taken
// right after startup would otherwise catch prefork's workers half set up.
std::size_t settled_tree_fds(pid_t server);
// "pid: target target ..." per process of the tree, for failure messages.
std::string describe_fds(pid_t server);
// Socket descriptors of one process (the listener counts).
std::size_t socket_fds(pid_t pid);
// utime + stime of every process of the tree, in seconds (threads included).
double tree_cpu_seconds(pid_t server);

// Lowers the soft RLIMIT_NOFILE of every process of the tree (prlimit(2), as `prlimit --pid`
// would) to what each holds now plus `headroom`: the next `headroom` descriptors succeed, the
// one after fails with EMFILE. Processes forked later inherit the master's limit. Returns
// false if a process could not be changed.
bool limit_fds(pid_t server, std::size_t headroom);

// Connections waiting in the accept queue of the listener on 127.0.0.1:port (/proc/net/tcp);
// -1 when no such listener is found.
int accept_queue(std::uint16_t port);

// How often `needle` occurs in `text`.
std::size_t occurrences(std::string_view text, std::string_view needle);

// Writes `content` to `path` (replacing it in place, same inode), or to a temporary file that
// is then renamed over `path` (a new inode, the way deployments replace files).
void write_file(const std::string& path, std::string_view content);
void replace_file(const std::string& path, std::string_view content);

// A pattern unlike mtest::BigRoot's, to tell a replacement's bytes from the original's.
std::string other_pattern(std::size_t n);

// One metric's value from the Prometheus page at `path`, or -1 when it cannot be read.
long long metric(std::uint16_t port, std::string_view path, std::string_view name);

// GET `target` with Connection: close on a fresh connection; status 0 when no whole response.
itest::HttpResponse get(std::uint16_t port, std::string_view target);

}  // namespace ftest
