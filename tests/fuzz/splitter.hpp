// How a harness cuts the wire bytes into reads and the output into writes: a xorshift
// generator seeded from the input (bytes 1-2), so the fuzzer chooses the boundaries as well as
// the bytes. Header only; one per input, single-threaded.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace fuzz {

class Splitter {
public:
    // Upper bounds of the three piece sizes it draws besides "everything left".
    struct Sizes {
        std::size_t tiny, small, large;
    };
    Splitter(std::uint32_t seed, Sizes sizes) : rng_(seed), sizes_(sizes) {}  // seed != 0

    // Mostly small pieces (every boundary matters), sometimes everything left.
    std::size_t next(std::size_t left) {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 17;
        rng_ ^= rng_ << 5;
        const std::size_t r = rng_ >> 2;
        switch (rng_ & 3u) {
            case 0: return std::min(left, 1 + r % sizes_.tiny);
            case 1: return std::min(left, 1 + r % sizes_.small);
            case 2: return std::min(left, 1 + r % sizes_.large);
            default: return left;
        }
    }

private:
    std::uint32_t rng_;
    Sizes sizes_;
};

}  // namespace fuzz
