// HTTP dates without the C locale: strftime's %a/%b follow LC_TIME, which would put e.g.
// German day names on the wire if anything in the process called setlocale().
#include "http/fields/http_date.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace http {
namespace {

constexpr std::array<std::string_view, 7> short_days = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_days = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years an IMF-fixdate can spell.
constexpr std::time_t min_formattable = -62135596800;
constexpr std::time_t max_formattable = 253402300799;

void put2(char* out, int v) noexcept {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
}

void put_name(char* out, std::string_view name) noexcept {
    for (std::size_t i = 0; i < name.size(); ++i) out[i] = name[i];
}

// A forward-only reader over the value; any mismatch makes it fail and stay failed, so a
// parse is a straight sequence of expectations checked once at the end.
class Reader {
public:
    explicit Reader(std::string_view s) noexcept : s_(s) {}

    void literal(std::string_view lit) noexcept {
        if (ok_ && s_.substr(pos_, lit.size()) == lit)
            pos_ += lit.size();
        else
            ok_ = false;
    }
    int digits(std::size_t n) noexcept {
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!ok_ || pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') {
                ok_ = false;
                return 0;
            }
            v = v * 10 + (s_[pos_++] - '0');
        }
        return v;
    }
    // Index of the table entry found at the cursor (names are case-sensitive, RFC 9110
    // §5.6.7), or -1.
    template <std::size_t N>
    int name(const std::array<std::string_view, N>& table) noexcept {
        for (std::size_t i = 0; ok_ && i < N; ++i) {
            if (s_.substr(pos_, table[i].size()) == table[i]) {
                pos_ += table[i].size();
                return static_cast<int>(i);
            }
        }
        ok_ = false;
        return -1;
    }
    // asctime's day is "06", "16" or " 6".
    int day_sp_or_2digit() noexcept {
        if (ok_ && pos_ < s_.size() && s_[pos_] == ' ') {
            ++pos_;
            return digits(1);
        }
        return digits(2);
    }
    [[nodiscard]] bool done() const noexcept { return ok_ && pos_ == s_.size(); }
    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

struct Fields {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

void read_time(Reader& r, Fields& f) noexcept {
    f.hour = r.digits(2);
    r.literal(":");
    f.minute = r.digits(2);
    r.literal(":");
    f.second = r.digits(2);
}

bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool valid(const Fields& f) noexcept {
    static constexpr int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (f.month < 0 || f.month > 11 || f.day < 1) return false;
    const int max_day = mdays[f.month] + (f.month == 1 && is_leap(f.year) ? 1 : 0);
    // Second 60 is a leap second (RFC 9110 §5.6.7); timegm folds it into the next minute.
    return f.day <= max_day && f.hour <= 23 && f.minute <= 59 && f.second <= 60;
}

std::optional<std::time_t> to_time(const Fields& f) noexcept {
    if (!valid(f)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = f.year - 1900;
    tm.tm_mon = f.month;
    tm.tm_mday = f.day;
    tm.tm_hour = f.hour;
    tm.tm_min = f.minute;
    tm.tm_sec = f.second;
    return timegm(&tm);
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent
// past year with those digits. Together with the mirror case this is a 100-year window.
int expand_two_digit_year(int yy) noexcept {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    const int this_year = tm.tm_year + 1900;
    int year = this_year - this_year % 100 + yy;
    if (year > this_year + 50)
        year -= 100;
    else if (year <= this_year - 50)
        year += 100;
    return year;
}

// What IMF-fixdate and rfc850-date share after the day name: ", DD<sep>Mon<sep>YY[YY]
// HH:MM:SS GMT", the two differing only in the separator and the year's width. Returns the
// year as written; the caller decides what two digits mean.
int read_date_and_time(Reader& r, Fields& f, std::string_view sep,
                       std::size_t year_digits) noexcept {
    r.literal(", ");
    f.day = r.digits(2);
    r.literal(sep);
    f.month = r.name(months);
    r.literal(sep);
    const int year = r.digits(year_digits);
    r.literal(" ");
    read_time(r, f);
    r.literal(" GMT");
    return year;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (the day name is already consumed).
std::optional<std::time_t> parse_imf(Reader& r) noexcept {
    Fields f;
    f.year = read_date_and_time(r, f, " ", 4);
    return r.done() ? to_time(f) : std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT" (the day name is already consumed).
std::optional<std::time_t> parse_rfc850(Reader& r) noexcept {
    Fields f;
    const int yy = read_date_and_time(r, f, "-", 2);
    if (!r.done()) return std::nullopt;
    f.year = expand_two_digit_year(yy);
    return to_time(f);
}

// "Sun Nov  6 08:49:37 1994" (the day name is already consumed).
std::optional<std::time_t> parse_asctime(Reader& r) noexcept {
    Fields f;
    r.literal(" ");
    f.month = r.name(months);
    r.literal(" ");
    f.day = r.day_sp_or_2digit();
    r.literal(" ");
    read_time(r, f);
    r.literal(" ");
    f.year = r.digits(4);
    return r.done() ? to_time(f) : std::nullopt;
}

// gmtime_r and the fields, for format_http_date.
void format_uncached(std::time_t t, char* out) noexcept {
    std::tm tm{};
    gmtime_r(&t, &tm);
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    put_name(out, short_days[static_cast<std::size_t>(tm.tm_wday)]);
    put_name(out + 3, ", ");
    put2(out + 5, tm.tm_mday);
    out[7] = ' ';
    put_name(out + 8, months[static_cast<std::size_t>(tm.tm_mon)]);
    out[11] = ' ';
    const int year = tm.tm_year + 1900;
    put2(out + 12, year / 100);
    put2(out + 14, year % 100);
    out[16] = ' ';
    put2(out + 17, tm.tm_hour);
    out[19] = ':';
    put2(out + 20, tm.tm_min);
    out[22] = ':';
    put2(out + 23, tm.tm_sec);
    put_name(out + 25, " GMT");
}

}  // namespace

void format_http_date(std::time_t t, char* out) noexcept {
    if (t < min_formattable) t = min_formattable;
    if (t > max_formattable) t = max_formattable;
    // The last result per thread: a site's Last-Modified values repeat from one response to
    // the next, and gmtime_r costs more than the copy.
    thread_local std::time_t last = min_formattable - 1;
    thread_local char last_out[http_date_length];
    if (t == last) {
        std::memcpy(out, last_out, http_date_length);
        return;
    }
    format_uncached(t, out);
    std::memcpy(last_out, out, http_date_length);
    last = t;
}

std::optional<std::time_t> parse_http_date(std::string_view s) noexcept {
    // Try the long day name first: "Sunday" must not be read as "Sun" + garbage.
    {
        Reader r(s);
        r.name(long_days);
        if (r.pos() > 0) return parse_rfc850(r);
    }
    Reader r(s);
    r.name(short_days);
    if (r.pos() == 0) return std::nullopt;
    if (s.size() > 3 && s[3] == ',') return parse_imf(r);
    return parse_asctime(r);
}

std::string_view current_http_date() noexcept {
    // One formatted string per thread, refreshed when the second changes: every response
    // needs a Date and time(nullptr) is a vDSO call, far cheaper than gmtime_r.
    struct Cache {
        std::time_t second = -1;
        char buf[http_date_length] = {};
    };
    thread_local Cache cache;
    const std::time_t now = std::time(nullptr);
    if (now != cache.second) {
        format_http_date(now, cache.buf);
        cache.second = now;
    }
    return {cache.buf, http_date_length};
}

}  // namespace http
