// What the tests of parse_command_line() share: running it on an argument list, and a scratch
// directory for config files and serving roots.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/file/cli.hpp"

namespace cli_test {

namespace fs = std::filesystem;

inline const std::vector<std::string> models = {"loop", "fork", "thread", "epoll-et"};

inline config::ParseResult parse(std::vector<std::string> args) {
    args.insert(args.begin(), "polyhttpd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return config::parse_command_line(static_cast<int>(argv.size()), argv.data(), models);
}

// A scratch directory removed at scope exit; holds config files and serving roots.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "polyhttpd-cfg-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    // Written in binary mode: the bytes exactly as given (CRLF, a BOM).
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
};

// The one line the config file `text` is refused with, after its "--config 'FILE' " (the
// message whole when it lacks that prefix); "accepted" when the file loads.
inline std::string refusal(const TempDir& dir, const std::string& text) {
    const auto file = dir.write("bad.toml", text);
    const auto r = parse({"--config", file});
    if (r.action != config::Action::exit_error) return "accepted";
    const std::string prefix = "--config '" + file + "' ";
    return r.message.starts_with(prefix) ? r.message.substr(prefix.size()) : r.message;
}

inline fs::path example_config() {
    return fs::path(__FILE__).parent_path() / "../../../config/polyhttpd.toml";
}

}  // namespace cli_test
