// Shared pieces of the integration suite, used on Catch2's (main) thread only.
//
// Every TEST_CASE starts with MODEL_UNDER_TEST(), which GENERATEs one run per model the binary
// lists (`--list-models`, read once; POLYHTTPD_MODELS="a,b" restricts it) and puts the model
// in the context of every assertion. Sections of a case share one server per model through
// shared_server(); the last section of each case is CLEAN_SHUTDOWN_SECTION(), which stops it
// with SIGTERM and requires exit status 0 within shutdown_timeout + 5 s.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "raw_client.hpp"
#include "server_process.hpp"
#include "web_root.hpp"

namespace itest {

// The deadlines and limits every server in the suite runs with (short, to keep tests fast).
inline constexpr auto header_timeout = 2s;
inline constexpr auto keepalive_timeout = 2s;
inline constexpr auto send_timeout = 5s;
inline constexpr auto shutdown_timeout = 3s;
inline constexpr std::size_t max_head_size = 8192;
inline constexpr std::size_t max_target_size = 1024;
inline constexpr auto stop_grace = shutdown_timeout + 5s;

const std::vector<std::string>& model_names();
// Plus $POLYHTTPD_EXTRA_FLAGS (space-separated), e.g. "--workers 2" for the TSan run.
std::vector<std::string> standard_flags();

// The server for `model` with standard_flags() + extra, started on first use and reused by the
// sections of the current test case until another model, config or transport is asked for,
// the test case changes, or check_clean_stop() stops it. A server that died since its last use
// is reported as a failure (with its output) and restarted.
ServerProcess& shared_server(const std::string& model, const std::vector<std::string>& extra = {},
                             Transport transport = default_transport());
// Stops that shared server (starting one if none runs) and checks its exit.
void check_clean_stop(const std::string& model, const std::vector<std::string>& extra = {},
                      Transport transport = default_transport());
// Checks an Exit with the server's output in the context of the failure.
void check_exit(const Exit& e, const ServerProcess& server);

// One request/response on an open client; REQUIREs that a whole response arrives.
HttpResponse roundtrip(RawClient& c, std::string_view request, bool head_request = false);
// The same on a fresh connection, closed afterwards.
HttpResponse fetch(std::uint16_t port, std::string_view request, bool head_request = false);

// Offset of the first differing byte (a length difference counts), or no_mismatch: big bodies
// are compared with this so a failure prints a number, not a megabyte.
inline constexpr std::size_t no_mismatch = static_cast<std::size_t>(-1);
std::size_t first_mismatch(std::string_view got, std::string_view want);

}  // namespace itest

#define MODEL_UNDER_TEST()                                                                     \
    const std::string model = GENERATE(Catch::Generators::from_range(::itest::model_names())); \
    INFO("model: " << model)

#define CLEAN_SHUTDOWN_SECTION(...)                                  \
    SECTION("SIGTERM: the server exits with status 0 in time") {     \
        ::itest::check_clean_stop(model __VA_OPT__(, ) __VA_ARGS__); \
    }
