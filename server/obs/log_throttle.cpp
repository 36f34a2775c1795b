#include "server/obs/log_throttle.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace server {

SharedLogThrottle::SharedLogThrottle(LogThrottle::clock::duration every) {
    void* mem = ::mmap(nullptr, sizeof(LogThrottle), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    throttle_ = new (mem) LogThrottle(every);
}

SharedLogThrottle::~SharedLogThrottle() {
    throttle_->~LogThrottle();
    ::munmap(throttle_, sizeof(LogThrottle));
}

}  // namespace server
