// Calendar fields of a UTC time for log lines, by pure arithmetic (C++20 <chrono>). Used
// instead of gmtime_r/localtime_r on purpose: glibc's versions take the tzset lock, and a
// child forked while another thread holds it would deadlock on its first log line. Called by
// the error- and access-log writers on any thread; header-only, never blocks.
#pragma once

#include <chrono>
#include <cstdint>

namespace server {

struct UtcTime {
    int year;
    unsigned month, day, hour, minute, second, millisecond;
};

inline UtcTime utc_time(std::chrono::system_clock::time_point tp) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(tp);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss hms{ms - day};
    return {static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<unsigned>(hms.hours().count()),
            static_cast<unsigned>(hms.minutes().count()),
            static_cast<unsigned>(hms.seconds().count()),
            static_cast<unsigned>(hms.subseconds().count())};
}

}  // namespace server
