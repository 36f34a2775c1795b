// The table of hostile requests every model must survive (test_hostile.cpp runs it), each
// with the statuses allowed and whether the connection must close. Pure data; built once on
// the main thread. Hostile clients that need time or a second actor are test cases of their
// own: test_slow_clients.cpp (slowloris, stalled bodies, clients that never read) and
// test_symlink_swap.cpp (symlinks swapped in while requests run).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace itest {

struct HostileInput {
    std::string name;
    std::string bytes;          // sent in one write
    std::vector<int> statuses;  // acceptable status codes of the last response
    bool must_close = false;    // the server must close (EOF within 5 s) and say Connection: close
    std::size_t responses = 1;  // exact number of responses; 0 = one or more (then must_close)
    std::size_t max_wire = 0;   // if set: bound on all response bytes (amplification)
};

// A file no row asks for legitimately: framing rows pipeline a request for it after the
// hostile bytes, so its body in any response means bytes were re-parsed as a request.
inline constexpr const char* smuggling_probe = "/f19.txt";
inline constexpr int smuggling_probe_index = 19;

// Depends on the limits the suite's servers run with (suite.hpp) and on the web root layout.
const std::vector<HostileInput>& hostile_inputs();

}  // namespace itest
