// Whether the uring model can run on this machine, asked once at startup (main() and
// --list-models) before any ring is built for serving. io_uring may be missing (kernel older
// than 6.0 for multishot receive, CONFIG_IO_URING off: ENOSYS), switched off
// (kernel.io_uring_disabled, EPERM), or filtered (a seccomp profile: EPERM or ENOSYS, e.g.
// Docker's default); or an opcode or feature the model relies on may be absent. Each is
// detected by trying it, not by the kernel version.
//
// POLYHTTPD_URING_UNAVAILABLE=<reason> in the environment makes the probe fail with that
// reason, so the failure path (one line, nonzero exit, skipped tests) can be tested on a
// machine where io_uring works.
#pragma once

#include <string>

namespace server {

// Empty when io_uring has everything the model needs; else one line saying what is missing.
// Thread-safe; computed once per process.
const std::string& uring_unavailable_reason();

}  // namespace server
