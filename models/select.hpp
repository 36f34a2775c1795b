// The select() poller on its own, without its model: for tests that hold every Poller to the
// same contract. The model (select.cpp) builds its reactors' pollers the same way. One poller
// per reactor thread, like every Poller; creating one never blocks.
#pragma once

#include <memory>

#include "server/readiness/poller.hpp"

namespace models {

std::unique_ptr<server::Poller> make_select_poller();

}  // namespace models
