#include "suite.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace itest {
namespace {

std::string seconds_flag(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::vector<std::string> split_csv(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        const auto comma = s.find(',');
        std::string item(s.substr(0, comma));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

struct ListedModel {
    std::string name;
    std::string unavailable;  // why this machine cannot run it; empty when it can
};

// `polyhttpd --list-models`: the first word of each non-empty line is a model's name; a model
// the kernel cannot support carries "[unavailable here: REASON]".
std::vector<ListedModel> listed_models() {
    const std::string cmd = std::string("'") + POLYHTTPD_BINARY + "' --list-models 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run " + cmd);
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
    const int status = ::pclose(p);
    if (status != 0)
        throw std::runtime_error(cmd + " failed (status " + std::to_string(status) + "):\n" + text);
    std::vector<ListedModel> models;
    std::istringstream lines(text);
    constexpr std::string_view marker = "[unavailable here: ";
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        ListedModel m;
        if (!(words >> m.name)) continue;
        if (const auto at = line.find(marker); at != std::string::npos) {
            m.unavailable = line.substr(at + marker.size());
            if (!m.unavailable.empty() && m.unavailable.back() == ']') m.unavailable.pop_back();
        }
        models.push_back(std::move(m));
    }
    if (models.empty()) throw std::runtime_error(cmd + " listed no model");
    return models;
}

bool named_in(const char* env_var, const std::string& name) {
    const char* env = std::getenv(env_var);
    if (env == nullptr) return false;
    const auto names = split_csv(env);
    return std::find(names.begin(), names.end(), name) != names.end();
}

// POLYHTTPD_MODELS="a,b" selects, POLYHTTPD_EXCLUDE_MODELS="c" leaves out (ctest runs uring
// as a test of its own). A model this machine cannot run is skipped with its reason printed;
// when that leaves nothing to test, the process exits 77, which ctest reports as skipped:
// never a silent pass. So does a selection that this test's own exclusion empties
// (POLYHTTPD_MODELS=uring against integration_blocking, which leaves uring to its own test).
std::vector<std::string> selected_models() {
    const std::vector<ListedModel> all = listed_models();
    const char* env = std::getenv("POLYHTTPD_MODELS");
    const bool restricted = env != nullptr && *env != '\0';
    if (restricted) {
        for (const auto& m : split_csv(env)) {
            if (std::none_of(all.begin(), all.end(),
                             [&](const ListedModel& l) { return l.name == m; }))
                throw std::runtime_error("POLYHTTPD_MODELS names '" + m +
                                         "', which --list-models does not list");
        }
    }
    std::vector<std::string> chosen;
    std::size_t unavailable = 0;
    std::size_t excluded = 0;
    for (const ListedModel& m : all) {
        if (restricted && !named_in("POLYHTTPD_MODELS", m.name)) continue;
        if (named_in("POLYHTTPD_EXCLUDE_MODELS", m.name)) {
            ++excluded;
            continue;
        }
        if (!m.unavailable.empty()) {
            std::fprintf(stderr, "SKIPPED: model %s: unavailable here: %s\n", m.name.c_str(),
                         m.unavailable.c_str());
            ++unavailable;
            continue;
        }
        chosen.push_back(m.name);
    }
    if (chosen.empty() && excluded > 0)
        std::fprintf(stderr, "SKIPPED: every selected model is left to another test here\n");
    if (chosen.empty() && (unavailable > 0 || excluded > 0)) std::exit(77);
    if (chosen.empty()) throw std::runtime_error("POLYHTTPD_MODELS selects no model");
    return chosen;
}

// The shared server and the test case that started it: a server never outlives its test case's
// use of it, so a server that one case broke cannot fail the next case.
struct Shared {
    std::unique_ptr<ServerProcess> server;
    std::string test_case;
};

Shared& shared() {
    static Shared s;
    return s;
}

}  // namespace

const std::vector<std::string>& model_names() {
    static const std::vector<std::string> names = selected_models();
    return names;
}

std::vector<std::string> standard_flags() {
    std::vector<std::string> flags = {"--header-timeout",    seconds_flag(header_timeout),
                                      "--keepalive-timeout", seconds_flag(keepalive_timeout),
                                      "--send-timeout",      seconds_flag(send_timeout),
                                      "--shutdown-timeout",  seconds_flag(shutdown_timeout),
                                      "--max-head-size",     std::to_string(max_head_size),
                                      "--max-target-size",   std::to_string(max_target_size)};
    // $POLYHTTPD_EXTRA_FLAGS ("--workers 2"), space-separated, goes to every server: the
    // ThreadSanitizer run gives the readiness models several reactors with it.
    if (const char* extra = std::getenv("POLYHTTPD_EXTRA_FLAGS")) {
        std::istringstream words(extra);
        for (std::string w; words >> w;) flags.push_back(w);
    }
    return flags;
}

ServerProcess& shared_server(const std::string& model, const std::vector<std::string>& extra,
                             Transport transport) {
    Shared& sh = shared();
    const std::string test_case = Catch::getResultCapture().getCurrentTestName();
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(), extra.begin(), extra.end());
    std::string key;
    for (const auto& f : flags) key += f + ' ';
    if (sh.server &&
        (sh.server->model() != model || sh.test_case != test_case ||
         sh.server->flags_key() != key || sh.server->transport() != resolve(transport)))
        sh.server.reset();
    if (sh.server && !sh.server->running()) {
        INFO("server output:\n" << sh.server->output_tail());
        FAIL_CHECK("the " << model << " server died between sections: "
                          << sh.server->exit_info().describe());
        sh.server.reset();
    }
    if (!sh.server) {
        sh.server = std::make_unique<ServerProcess>(model, web_root().path(), flags, transport);
        sh.test_case = test_case;
    }
    return *sh.server;
}

void check_exit(const Exit& e, const ServerProcess& server) {
    INFO("server output:\n" << server.output_tail());
    INFO("exit: " << e.describe());
    CHECK(e.exited);
    CHECK(e.in_time);
    CHECK_FALSE(e.signaled);
    CHECK(e.code == 0);
    CHECK_FALSE(e.stragglers);
}

void check_clean_stop(const std::string& model, const std::vector<std::string>& extra,
                      Transport transport) {
    ServerProcess& server = shared_server(model, extra, transport);
    struct Forget {  // whatever fails below, the next section starts a fresh server
        ~Forget() { shared().server.reset(); }
    } forget;
    {
        // The server must still be serving before it is asked to stop.
        RawClient c(server.port(), ClientOptions{.transport = transport});
        HttpResponse r;
        const bool answered =
            c.send(get_request("/page.html")) && c.read_response(r) == ReadResult::ok;
        INFO("GET /page.html before SIGTERM: " << c.error());
        CHECK(answered);
        CHECK(r.status == 200);
    }
    check_exit(server.stop(stop_grace), server);
}

HttpResponse roundtrip(RawClient& c, std::string_view request, bool head_request) {
    INFO("request: " << request.substr(0, 300));
    REQUIRE(c.send(request));
    HttpResponse r;
    const ReadResult res = c.read_response(r, head_request);
    INFO("read: " << to_string(res) << ": " << c.error());
    INFO("received so far: " << r.head << c.pending().substr(0, 300));
    REQUIRE(res == ReadResult::ok);
    return r;
}

std::size_t first_mismatch(std::string_view got, std::string_view want) {
    const auto n = std::min(got.size(), want.size());
    const auto at =
        std::mismatch(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(n), want.begin());
    const auto off = static_cast<std::size_t>(at.first - got.begin());
    if (off < n || got.size() != want.size()) return off;
    return no_mismatch;
}

HttpResponse fetch(std::uint16_t port, std::string_view request, bool head_request) {
    RawClient c(port);
    return roundtrip(c, request, head_request);
}

}  // namespace itest
