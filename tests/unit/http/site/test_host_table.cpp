// HostTable and normalize_host: case, port and trailing dot, exact names before wildcards,
// the longest wildcard, and hostile Host values.
#include <string>

#include <catch2/catch.hpp>

#include "http/site/host_table.hpp"

namespace {

std::string norm(std::string_view host) {
    http::HostBuffer buf;
    return std::string(http::normalize_host(host, buf));
}

http::HostTable table() {
    http::HostTable t;
    t.add("example.com", 0);
    t.add("www.example.com", 0);
    t.add("*.example.com", 1);
    t.add("*.api.example.com", 2);
    t.add("API.example.com", 3);  // exact, configured in another case
    t.add("Other.Test.", 4);
    t.add("example.com", 5);  // claimed already: the first site keeps it
    t.add("[::1]", 6);
    return t;
}

}  // namespace

TEST_CASE("host: normalising drops port, one trailing dot and case") {
    CHECK(norm("Example.COM") == "example.com");
    CHECK(norm("example.com:8080") == "example.com");
    CHECK(norm("example.com.") == "example.com");
    CHECK(norm("example.com.:443") == "example.com");
    CHECK(norm("example.com:") == "example.com");
    CHECK(norm("[::1]:8080") == "[::1]");
    CHECK(norm("[::1]") == "[::1]");
    CHECK(norm("[::1").empty());
    CHECK(norm("").empty());
    CHECK(norm(":80").empty());
    CHECK(norm(".").empty());
    CHECK(norm(std::string(253, 'a')) == std::string(253, 'a'));
    CHECK(norm(std::string(254, 'a')).empty());
}

TEST_CASE("host: exact names, case-insensitively, without port and trailing dot") {
    const http::HostTable t = table();
    CHECK(t.find("example.com") == 0);
    CHECK(t.find("EXAMPLE.com:8080") == 0);
    CHECK(t.find("www.example.com.") == 0);
    CHECK(t.find("api.example.com") == 3);
    CHECK(t.find("other.test") == 4);
    CHECK(t.find("[::1]:80") == 6);
}

TEST_CASE("host: wildcards match any depth below, never the name itself; longest first") {
    const http::HostTable t = table();
    CHECK(t.find("a.example.com") == 1);
    CHECK(t.find("a.b.example.com") == 1);
    CHECK(t.find("v1.api.example.com") == 2);
    CHECK(t.find("x.v1.api.example.com") == 2);
    CHECK(t.find("notexample.com") == http::HostTable::npos);
    CHECK(t.find("example.com.evil") == http::HostTable::npos);
    CHECK(t.find("evil-example.com") == http::HostTable::npos);
}

TEST_CASE("host: hostile values name no site") {
    const http::HostTable t = table();
    const std::string nul("example.com\0x", 13);
    for (const std::string& host :
         {std::string(".."), std::string("../example.com"), std::string("example.com/.."),
          std::string("/"), std::string("example.com/"), nul, std::string(300, 'a'),
          std::string(300, 'a') + ".example.com", std::string("user@example.com"),
          std::string(".example.com"), std::string("*")}) {
        INFO(host);
        CHECK(t.find(host) == http::HostTable::npos);
    }
    // Only the one trailing dot goes: "example.com.." is another name.
    CHECK(t.find("example.com..") == http::HostTable::npos);
}

// nginx answers such a Host 400; here it names no site (the default one, or 421 with
// strict hosts), and above all no wildcard: "*.example.com" is a name below example.com,
// and "..example.com" or "a..example.com" is no name at all.
TEST_CASE("host: an empty label names no site, not even through a wildcard") {
    const http::HostTable t = table();
    for (const char* host : {"..example.com", "a..example.com", "...api.example.com",
                             "x..api.example.com:80", ".www.example.com", "www..example.com."}) {
        INFO(host);
        CHECK(t.find(host) == http::HostTable::npos);
    }
    CHECK(norm("a..b").empty());
    CHECK(norm(".a").empty());
    CHECK(norm("..").empty());
    CHECK(norm("a.b.") == "a.b");
    CHECK(t.find("x.api.example.com") == 2);  // the wildcards themselves still match
    CHECK(t.find("x.y.example.com.") == 1);
}

TEST_CASE("host: bytes no host name has make the value name no site") {
    CHECK(norm(std::string("a.example\0.b", 12)).empty());
    CHECK(norm("a/b").empty());
    CHECK(norm("user@a").empty());
    CHECK(norm("a b").empty());
    CHECK(norm("a%2eb").empty());
    CHECK(norm("[fe80::1%25eth0]").empty());  // a zone id: no site is configured with one
    CHECK(norm("under_score.example") == "under_score.example");
    CHECK(norm("xn--bcher-kva.example") == "xn--bcher-kva.example");
}
