#include "http/exchange_state.hpp"

#include <vector>

namespace http {
namespace {

// Spares per thread. An event loop at c connections has up to c states in flight at once
// (io_uring: every response whose send has not completed), so the list must cover the busy
// case or every request would pay a malloc and a parser set-up; bounded so that a burst does
// not leave its peak behind forever: 256 spares of ~2 KiB are 0.5 MiB per thread, whatever the
// number of connections.
constexpr std::size_t max_spare_states = 256;
// A spare holding more than this (a long listing's text, a large target) is freed instead:
// the spares must stay small, and such requests are rare enough to pay for a fresh state.
constexpr std::size_t max_spare_heap = 8 * 1024;

struct SpareStates {
    std::vector<std::unique_ptr<ExchangeState>> list;
};

SpareStates& spare_states() noexcept {
    thread_local SpareStates s;
    return s;
}

std::size_t string_heap(const std::string& s) noexcept {
    const auto* self = reinterpret_cast<const char*>(&s);
    const bool inline_buffer = s.data() >= self && s.data() < self + sizeof(s);
    return inline_buffer ? 0 : s.capacity() + 1;
}

std::size_t request_heap(const Request& r) noexcept {
    std::size_t n = 0;
    for (const std::string* s :
         {&r.target, &r.host, &r.range, &r.if_match, &r.if_none_match, &r.if_modified_since,
          &r.if_unmodified_since, &r.if_range, &r.accept, &r.accept_encoding, &r.referer,
          &r.user_agent, &r.origin, &r.access_control_request_method})
        n += string_heap(*s);
    return n;
}

}  // namespace

std::size_t ExchangeState::heap_bytes() const noexcept {
    const Response& r = response;
    return request_heap(request) + string_heap(head) + string_heap(r.location) +
           string_heap(r.content_range) + string_heap(r.text) +
           r.pieces.capacity() * sizeof(BodyPiece) +
           r.extra_headers.capacity() * sizeof(r.extra_headers[0]);
}

std::unique_ptr<ExchangeState> take_exchange_state(std::size_t max_head, std::size_t max_target) {
    auto& list = spare_states().list;
    std::unique_ptr<ExchangeState> s;
    while (!list.empty() && !s) {
        s = std::move(list.back());
        list.pop_back();
        // After a reload the limits may differ; such a spare is of no use to anyone now.
        if (s->max_head_size != max_head || s->max_target_size != max_target) s.reset();
    }
    if (!s) return std::make_unique<ExchangeState>(max_head, max_target);
    s->head_sent = s->head_only = s->piece = 0;
    s->piece_sent = s->body_sent = 0;
    s->send_body = true;
    s->site = nullptr;
    s->request_start = {};
    return s;
}

void give_back_exchange_state(std::unique_ptr<ExchangeState> s) noexcept {
    if (!s) return;
    s->response.file.reset();  // never hold a file or a cached body while idle
    s->response.cached.reset();
    s->response.stream.reset();
    s->stream.reset();
    if (s->heap_bytes() > max_spare_heap) return;
    // A parser standing between messages of a kept-alive stream behaves as a fresh one for
    // the next connection; any other (after Connection: close, an error, a request cut
    // short) is reset, so a one-request connection reuses a state as a kept-alive one does.
    const Request& last = s->request;
    if (!s->between_messages() || s->parser.error_status() != 0 || !last.keep_alive ||
        last.method == Method::connect)
        s->parser.reset();
    auto& list = spare_states().list;
    if (list.size() >= max_spare_states) return;
    try {
        list.push_back(std::move(s));
    } catch (...) {  // no room to keep it: freed instead
    }
}

std::size_t spare_exchange_states() noexcept { return spare_states().list.size(); }

}  // namespace http
