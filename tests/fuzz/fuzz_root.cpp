#include "fuzz_root.hpp"

#include "unit/http/static_site.hpp"

namespace fuzz {
namespace {

// Bytes that never repeat with a short period, so a body from a wrong offset cannot pass
// as the right one.
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    unsigned x = 12345u;
    for (char& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>('a' + (x >> 16) % 26);
    }
    return s;
}

}  // namespace

FuzzRoot::FuzzRoot() {
    test::build_site(tmp_);
    tmp_.file("outside/secret.txt", "outside: " + std::string(secret_marker) + "\n");
    tmp_.file("root/big.bin", pattern(big_size));
}

}  // namespace fuzz
