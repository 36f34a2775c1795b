#include "server/tls/spare_buffers.hpp"

#include <vector>

namespace server::tls {
namespace {

struct Spares {
    std::vector<BioPair> pairs;
    std::vector<std::unique_ptr<std::byte[]>> plain;
};

// Freed when the thread ends (a thread-per-connection model's thread included).
Spares& spares() noexcept {
    thread_local Spares s;
    return s;
}

}  // namespace

BioPair take_bio_pair() noexcept {
    auto& pairs = spares().pairs;
    if (!pairs.empty()) {
        BioPair p = std::move(pairs.back());
        pairs.pop_back();
        return p;
    }
    BIO* inner = nullptr;
    BIO* outer = nullptr;
    if (BIO_new_bio_pair(&inner, cipher_out_size, &outer, cipher_in_size) != 1) return {};
    return {BioPtr(inner), BioPtr(outer)};
}

void give_bio_pair(BioPair pair) noexcept {
    auto& pairs = spares().pairs;
    if (pairs.size() >= max_spares) return;  // freed here
    try {
        pairs.push_back(std::move(pair));
    } catch (...) {  // no room to remember it: freed
    }
}

std::unique_ptr<std::byte[]> take_plain_buffer() {
    auto& plain = spares().plain;
    if (plain.empty()) return std::make_unique_for_overwrite<std::byte[]>(plain_size);
    auto b = std::move(plain.back());
    plain.pop_back();
    return b;
}

void give_plain_buffer(std::unique_ptr<std::byte[]> buffer) noexcept {
    auto& plain = spares().plain;
    if (!buffer || plain.size() >= max_spares) return;
    try {
        plain.push_back(std::move(buffer));
    } catch (...) {
    }
}

std::size_t spare_bio_pairs() noexcept { return spares().pairs.size(); }
std::size_t spare_plain_buffers() noexcept { return spares().plain.size(); }

}  // namespace server::tls
