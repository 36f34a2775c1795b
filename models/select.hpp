// The select() poller on its own, without its model: for tests that hold every Poller to the
// same contract. The model (select.cpp) builds its reactors' pollers the same way. One poller
// per reactor thread, like every Poller; creating one never blocks. It holds the stop signals
// (SIGTERM, SIGINT, SIGQUIT) blocked on the creating thread, letting them in only inside
// wait() (see select.cpp for why), so it must be destroyed on that thread, which gets its
// signal mask back then.
#pragma once

#include <memory>

#include "server/readiness/poller.hpp"

namespace models {

std::unique_ptr<server::Poller> make_select_poller();

}  // namespace models
