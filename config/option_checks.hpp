// The checks of single options beyond conversion and choices, named by the option table
// (option_table.cpp: each entry's `check`). Each returns the problem as one line naming the option
// by its flag. Private to config/: the table is the only caller. Pure, any thread; the root
// and log checks read the file system, the user and group checks consult NSS.
#pragma once

#include <optional>
#include <string>

#include "config/options.hpp"

namespace config::checks {

// The value of the option's field, of type T.
template <typename T>
const T& value(const Config& cfg, const Option& opt) {
    return cfg.*std::get<T Config::*>(opt.field);
}

// --listen and --tls-listen's own list; --listen may be empty only beside --tls-listen.
std::optional<std::string> check_listen(const Config& cfg, const Option& opt);
// check_listen, then: no address also in --listen, and a certificate to serve with.
std::optional<std::string> check_tls_listen(const Config& cfg, const Option& opt);
// --tls-cert and --tls-key in pairs: as many keys as certificates.
std::optional<std::string> check_tls_pairs(const Config& cfg, const Option& opt);
std::optional<std::string> check_redirect_https(const Config& cfg, const Option& opt);
std::optional<std::string> check_hsts(const Config& cfg, const Option& opt);
std::optional<std::string> check_root(const Config& cfg, const Option& opt);
std::optional<std::string> check_index(const Config& cfg, const Option& opt);
// --compress: br, zstd or gzip, each once.
std::optional<std::string> check_compress(const Config& cfg, const Option& opt);
std::optional<std::string> check_compress_types(const Config& cfg, const Option& opt);
// --compress-max-size: at least --compress-min-size.
std::optional<std::string> check_compress_max_size(const Config& cfg, const Option& opt);
// --fallback: empty, or a path in the root (site_rules.hpp's check_root_path).
std::optional<std::string> check_fallback(const Config& cfg, const Option& opt);
// --strict-hosts: some [[site]] to answer; without one every request would get 421.
std::optional<std::string> check_strict_hosts(const Config& cfg, const Option& opt);
std::optional<std::string> check_workers(const Config& cfg, const Option& opt);
std::optional<std::string> check_max_connections(const Config& cfg, const Option& opt);
std::optional<std::string> check_positive(const Config& cfg, const Option& opt);
std::optional<std::string> check_head_size(const Config& cfg, const Option& opt);
std::optional<std::string> check_target_size(const Config& cfg, const Option& opt);
std::optional<std::string> check_access_log(const Config& cfg, const Option& opt);
std::optional<std::string> check_error_log(const Config& cfg, const Option& opt);
std::optional<std::string> check_status_path(const Config& cfg, const Option& opt);
std::optional<std::string> check_user(const Config& cfg, const Option& opt);
std::optional<std::string> check_group(const Config& cfg, const Option& opt);

}  // namespace config::checks
