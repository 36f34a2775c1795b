// HostTable: which site a Host field value names. Built once with the sites (startup or
// reload); find() runs per request on any connection thread (const, no allocation, never
// blocks). Like nginx's server_name: exact names first, then the longest matching wildcard.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

// The longest name compared: a DNS name has at most 253 bytes; anything longer is a Host no
// site answers to.
inline constexpr std::size_t max_host_name = 253;
using HostBuffer = std::array<char, max_host_name>;

// "Example.COM.:8080" -> "example.com": the port dropped (after ']' for an IPv6 literal),
// one trailing dot dropped, ASCII lower-cased into `buf`. Empty for an empty name, one
// longer than max_host_name, one with a byte no host name has (NUL, '/', '@', '%',
// controls), and one with an empty label (".a", "a..b"): such a Host names no site.
std::string_view normalize_host(std::string_view host, HostBuffer& buf) noexcept;

class HostTable {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // `name` as configured: "example.com" or "*.example.com" (any name below example.com,
    // at any depth, but not example.com itself). The first site to claim a name keeps it.
    void add(std::string_view name, std::size_t site);
    // The site for a Host value (normalised here), or npos.
    [[nodiscard]] std::size_t find(std::string_view host) const noexcept;

private:
    std::vector<std::pair<std::string, std::size_t>> exact_;     // sorted by name
    std::vector<std::pair<std::string, std::size_t>> suffixes_;  // ".example.com", longest first
};

}  // namespace http
