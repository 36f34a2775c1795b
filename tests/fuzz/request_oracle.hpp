// The reference reading of a fuzz input: the same RequestParser the Connection uses, fed the
// whole input in one piece, with nothing else in between (no buffering, no back-pressure, no
// early close). Whatever split the Connection saw, the requests it answered must be a prefix
// of these heads: a body parsed as a request, or a request lost or invented by the
// Connection's buffer handling, shows up as a difference.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/connection.hpp"

namespace fuzz {

struct OracleHead {
    std::string method;
    std::string target;
    std::size_t start = 0;  // offset of the first byte after the previous message
};

struct OracleReading {
    std::vector<OracleHead> heads;
    bool error = false;           // the parser rejected the input (the connection must close)
    std::size_t error_start = 0;  // where the message that failed began
};

// `eof`: the peer closes after the last byte (a message cut short is then an error).
OracleReading read_requests(std::string_view wire, const http::ConnectionLimits& limits, bool eof);

}  // namespace fuzz
