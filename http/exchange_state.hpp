// ExchangeState: everything an http::Connection needs only while a request is being read or
// answered (the parser, the request, the response and its head buffer, the send position).
// An idle keep-alive connection holds none of it: the Connection takes a state when request
// bytes arrive and gives it back once the last response is sent and no input waits, as nginx
// frees its request pool between requests. Given-back states wait in a small per-thread spare
// list, so a busy connection takes a warm one (string capacities kept, no malloc) and an idle
// one costs only its Connection. Used by Connection on its own thread; never blocks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/proto/parser.hpp"
#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/proto/response_stream.hpp"

namespace http {

class Site;

struct ExchangeState {
    ExchangeState(std::size_t max_head, std::size_t max_target)
        : parser(max_head, max_target), max_head_size(max_head), max_target_size(max_target) {}
    ExchangeState(const ExchangeState&) = delete;
    ExchangeState& operator=(const ExchangeState&) = delete;

    RequestParser parser;
    Request request;
    Response response;
    // The head of the current response, plus small in-memory body pieces copied behind it.
    std::string head;
    std::size_t head_sent = 0;
    std::size_t head_only = 0;     // head's length before in-memory body pieces joined it
    std::size_t piece = 0;         // next body piece to send
    std::uint64_t piece_sent = 0;  // bytes of that piece already sent
    std::uint64_t body_sent = 0;   // framing of a streamed body included
    StreamFramer stream;           // after the pieces, when the response is streamed
    bool send_body = true;         // false for HEAD, 204, 304
    const Site* site = nullptr;    // the current request's, for the access log
    std::chrono::steady_clock::time_point request_start{};
    // The parser's limits, so a spare is only reused under the same ones.
    std::size_t max_head_size;
    std::size_t max_target_size;

    // The parser stands between two messages: none begun, or a bodiless one whose head was
    // answered (llhttp reports its end only when fed again, which any next bytes do).
    [[nodiscard]] bool between_messages() const noexcept {
        return !parser.in_message() || (!parser.in_head() && !request.has_body);
    }

    // Heap bytes held by the strings and vectors (not the state itself): what a spare keeps.
    [[nodiscard]] std::size_t heap_bytes() const noexcept;
};

// A state for a connection with these parser limits: a spare of this thread's when one fits,
// else a new one. Its send position and request start are reset.
std::unique_ptr<ExchangeState> take_exchange_state(std::size_t max_head, std::size_t max_target);

// Gives `s` back: its file, cached body and stream are released at once; it is kept as a
// spare if its parser stands between messages and it holds little memory, else freed.
void give_back_exchange_state(std::unique_ptr<ExchangeState> s) noexcept;

// Spares of the calling thread (for tests).
[[nodiscard]] std::size_t spare_exchange_states() noexcept;

}  // namespace http
