// Glob: a path pattern of a site's header rules ([[headers]] match). Compiled once when the
// site is built (startup or reload); matches() runs on every request, on any thread (const,
// no allocation, never blocks) against the decoded, normalised path (http/proto/target.hpp).
//
// Syntax, as gitignore and Caddy users know it:
//   "/assets/**"  anchored (leading '/'); a trailing "**" is anything below: one or more
//                 segments, so "/assets/" and "/assets/a/b.css" but not "/assets"
//   "/a/**/b"     "**" as a whole segment elsewhere: zero or more segments ("/a/b", "/a/x/y/b")
//   "/a/*/b"      '*' is any run of bytes within one segment, never '/'
//   "*.woff2"     no leading '/': matches the end of the path at any depth ("**/" in front),
//                 so a pattern without '/' is a last-segment pattern
//   "?"           one byte, never '/'
// There is no escape character and no class ("[a-z]"): the configuration's paths need none.
//
// Matching is the greedy one-backtrack-point algorithm (R. Cox, "Glob Matching Can Be Simple
// And Fast Too") twice over: "**" over segments, '*' over bytes within a segment. Both only
// ever resume from the latest star, so a match costs at most O(path * pattern) steps, never
// the exponential backtracking of a naive recursive matcher on "/**/**/**/x".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace http {

class Glob {
public:
    explicit Glob(std::string_view pattern);

    [[nodiscard]] bool matches(std::string_view path) const noexcept;
    // The same, counting the matcher's steps (for the tests that bound its cost).
    [[nodiscard]] bool matches(std::string_view path, std::size_t& steps) const noexcept;

    [[nodiscard]] const std::string& pattern() const noexcept { return pattern_; }

private:
    std::string pattern_;
    // The pattern's segments after the leading '/'; "**" segments collapsed, an unanchored
    // pattern prefixed with "**", a trailing "**" spelled "*", "**" (one or more).
    std::vector<std::string> segments_;
};

// One segment against a segment pattern with '*' and '?' (exposed for its tests).
bool segment_matches(std::string_view pattern, std::string_view segment,
                     std::size_t& steps) noexcept;

}  // namespace http
