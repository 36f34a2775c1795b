// FuzzRoot: the web root every fuzz input is served from, generated once per process in a
// fresh temporary directory and removed at exit. It is the static handler tests' site
// (tests/unit/http/static_site.hpp: files, directories with and without an index, dotfiles,
// precompressed siblings, fifos, unreadable files, symlink loops, magic links and symlinks
// in and out of the root, odd names) plus:
//   root/big.bin           past the small-file cache: served as file pieces
//   outside/secret.txt     beside the root, reached by several symlinks: holds secret_marker
// Read-only after construction; used from the fuzzing thread only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "unit/http/temp_root.hpp"

namespace fuzz {

// In the out-of-root file and nowhere in the root: a response holding it served what must
// never be served.
inline constexpr std::string_view secret_marker = "SECRET-OUTSIDE-THE-ROOT-c9f2e1";

class FuzzRoot {
public:
    FuzzRoot();  // throws std::system_error when the tree cannot be built

    [[nodiscard]] std::string root() const { return tmp_.root(); }
    // The largest file in the root: bounds a single representation's size.
    static constexpr std::size_t big_size = 96 * 1024;

private:
    test::TempRoot tmp_;
};

}  // namespace fuzz
