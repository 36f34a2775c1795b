#include "http/site/rules/glob.hpp"

namespace http {
namespace {

constexpr std::string_view any_segments = "**";
constexpr std::size_t none = std::string_view::npos;

// The segment of `body` that starts at `pos` ends at the next '/' or the end.
std::size_t segment_end(std::string_view body, std::size_t pos) noexcept {
    const std::size_t slash = body.find('/', pos);
    return slash == none ? body.size() : slash;
}

}  // namespace

Glob::Glob(std::string_view pattern) : pattern_(pattern) {
    const bool anchored = !pattern.empty() && pattern.front() == '/';
    if (anchored) pattern.remove_prefix(1);
    if (!anchored) segments_.emplace_back(any_segments);
    std::size_t pos = 0;
    while (pos <= pattern.size()) {
        const std::size_t end = segment_end(pattern, pos);
        const std::string_view seg = pattern.substr(pos, end - pos);
        // "**/**" means what "**" means; collapsing keeps the segment loop's one restart point
        // meaningful.
        if (!(seg == any_segments && !segments_.empty() && segments_.back() == any_segments))
            segments_.emplace_back(seg);
        pos = end + 1;
    }
    if (segments_.back() == any_segments) {
        segments_.back() = "*";
        segments_.emplace_back(any_segments);
    }
}

bool Glob::matches(std::string_view path) const noexcept {
    std::size_t steps = 0;
    return matches(path, steps);
}

bool Glob::matches(std::string_view path, std::size_t& steps) const noexcept {
    if (path.empty() || path.front() != '/') return false;
    const std::string_view body = path.substr(1);
    // Positions are offsets of a segment's start in body; `done` means every segment is used
    // (a body of n slashes has n + 1 segments, the last maybe empty).
    const std::size_t done = body.size() + 1;
    std::size_t px = 0;
    std::size_t pos = 0;
    std::size_t star_px = none;
    std::size_t star_pos = none;  // where the latest "**" resumes, having eaten one more
    while (px < segments_.size() || pos < done) {
        ++steps;
        if (px < segments_.size()) {
            if (segments_[px] == any_segments) {
                star_px = px;
                star_pos = pos < done ? segment_end(body, pos) + 1 : none;
                ++px;  // first try zero segments
                continue;
            }
            if (pos < done) {
                const std::size_t end = segment_end(body, pos);
                if (segment_matches(segments_[px], body.substr(pos, end - pos), steps)) {
                    ++px;
                    pos = end + 1;
                    continue;
                }
            }
        }
        if (star_pos == none) return false;
        px = star_px;
        pos = star_pos;
    }
    return true;
}

bool segment_matches(std::string_view pattern, std::string_view segment,
                     std::size_t& steps) noexcept {
    std::size_t px = 0;
    std::size_t sx = 0;
    std::size_t star_px = none;
    std::size_t star_sx = none;
    while (px < pattern.size() || sx < segment.size()) {
        ++steps;
        if (px < pattern.size()) {
            const char c = pattern[px];
            if (c == '*') {
                star_px = px;
                star_sx = sx < segment.size() ? sx + 1 : none;
                ++px;
                continue;
            }
            if (sx < segment.size() && (c == '?' || c == segment[sx])) {
                ++px;
                ++sx;
                continue;
            }
        }
        if (star_sx == none) return false;
        px = star_px;
        sx = star_sx;
    }
    return true;
}

}  // namespace http
