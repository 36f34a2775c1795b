// What a reload reports, and the journald detection of the error log.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "server/obs/logging.hpp"
#include "server/proc/control.hpp"

TEST_CASE("restart_needed names what a reload cannot apply", "[control]") {
    config::Config a, b;
    CHECK(server::restart_needed(a, b, false).empty());
    a.model = "loop";
    b.model = "epoll-et";
    b.listen = {":9000"};
    b.user = "nobody";
    b.root = "/srv/www";  // live: not listed
    const auto changes = server::restart_needed(a, b, false);
    REQUIRE(changes.size() == 3);
    CHECK(changes[0] == "model: 'loop' -> 'epoll-et'");
    CHECK(changes[1] == "listen: '127.0.0.1:8080' -> ':9000'");
    CHECK(changes[2] == "user: '' -> 'nobody'");
    // Under socket activation the socket unit decides the address: the line says so.
    const auto activated = server::restart_needed(a, b, true);
    REQUIRE(activated.size() == 3);
    CHECK(activated[1] ==
          "listen: '127.0.0.1:8080' -> ':9000' (the socket comes from systemd: change "
          "ListenStream= in the socket unit)");
    b.workers = 4;
    CHECK(server::sized_at_start(a, b) ==
          std::vector<std::string>{"workers: 'model default' -> '4'"});
}

TEST_CASE("stderr is the journal only when $JOURNAL_STREAM names it", "[logging]") {
    struct stat st {};
    REQUIRE(::fstat(STDERR_FILENO, &st) == 0);
    const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    ::unsetenv("JOURNAL_STREAM");
    CHECK_FALSE(server::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    CHECK_FALSE(server::stderr_is_journal());  // another stream: a child of a service, say
    ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
    CHECK(server::stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
}
