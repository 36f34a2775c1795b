// MIME table. Lookups run once per response on every worker thread, so content_type() must not
// allocate: the extension is lower-cased into a stack buffer of at most 15 bytes, which
// libstdc++'s small-string optimisation holds inline when it becomes the lookup key.
#include "http/static/mime.hpp"

#include <array>
#include <cstddef>
#include <fstream>
#include <sstream>

namespace http {
namespace {

// Longest extension we look up: 15 is libstdc++'s SSO capacity, so the key never allocates.
constexpr std::size_t max_ext_len = 15;

constexpr std::string_view octet_stream = "application/octet-stream";
constexpr std::string_view charset_suffix = "; charset=utf-8";

struct Entry {
    std::string_view ext;
    std::string_view type;
};

// IANA-registered types where one exists; de facto types (x-) only where none is registered.
constexpr std::array builtin = {
    Entry{"html", "text/html"},
    Entry{"htm", "text/html"},
    Entry{"xhtml", "application/xhtml+xml"},
    Entry{"css", "text/css"},
    Entry{"js", "text/javascript"},
    Entry{"mjs", "text/javascript"},  // RFC 9239
    Entry{"json", "application/json"},
    Entry{"map", "application/json"},
    Entry{"jsonld", "application/ld+json"},
    Entry{"webmanifest", "application/manifest+json"},
    Entry{"xml", "application/xml"},
    Entry{"rss", "application/rss+xml"},
    Entry{"atom", "application/atom+xml"},
    Entry{"txt", "text/plain"},
    Entry{"md", "text/markdown"},
    Entry{"csv", "text/csv"},
    Entry{"ics", "text/calendar"},
    Entry{"yaml", "application/yaml"},
    Entry{"yml", "application/yaml"},  // RFC 9512
    Entry{"toml", "application/toml"},
    Entry{"sh", "text/x-shellscript"},
    Entry{"c", "text/x-csrc"},
    Entry{"h", "text/x-chdr"},
    Entry{"cpp", "text/x-c++src"},
    Entry{"py", "text/x-python"},
    Entry{"svg", "image/svg+xml"},
    Entry{"png", "image/png"},
    Entry{"jpg", "image/jpeg"},
    Entry{"jpeg", "image/jpeg"},
    Entry{"gif", "image/gif"},
    Entry{"webp", "image/webp"},
    Entry{"avif", "image/avif"},
    Entry{"ico", "image/vnd.microsoft.icon"},
    Entry{"bmp", "image/bmp"},
    Entry{"tif", "image/tiff"},
    Entry{"tiff", "image/tiff"},
    Entry{"wasm", "application/wasm"},
    Entry{"woff", "font/woff"},
    Entry{"woff2", "font/woff2"},
    Entry{"ttf", "font/ttf"},
    Entry{"otf", "font/otf"},
    Entry{"eot", "application/vnd.ms-fontobject"},
    Entry{"pdf", "application/pdf"},
    Entry{"zip", "application/zip"},
    Entry{"gz", "application/gzip"},
    Entry{"br", "application/x-brotli"},
    Entry{"tar", "application/x-tar"},
    Entry{"mp3", "audio/mpeg"},
    Entry{"ogg", "audio/ogg"},
    Entry{"oga", "audio/ogg"},
    Entry{"wav", "audio/wav"},
    Entry{"flac", "audio/flac"},
    Entry{"m4a", "audio/mp4"},
    Entry{"mp4", "video/mp4"},
    Entry{"m4v", "video/mp4"},
    Entry{"webm", "video/webm"},
    Entry{"ogv", "video/ogg"},
    Entry{"mov", "video/quicktime"},
    Entry{"mkv", "video/matroska"},  // RFC 9559
};

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string full_value(std::string_view type) {
    std::string v(type);
    if (is_text_type(type)) v.append(charset_suffix);
    return v;
}

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

MimeTypes::MimeTypes() {
    by_ext_.reserve(builtin.size() * 2);
    for (const Entry& e : builtin) by_ext_.emplace(std::string(e.ext), full_value(e.type));
}

bool MimeTypes::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    std::string line;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream fields(line);
        std::string type;
        if (!(fields >> type) || type.find('/') == std::string::npos) continue;
        for (char& c : type) c = lower(c);
        std::string ext;
        while (fields >> ext) {
            if (ext.size() > max_ext_len) continue;  // could never be looked up
            for (char& c : ext) c = lower(c);
            // emplace keeps an existing entry: the built-in table (and the first line of the
            // file naming an extension) wins.
            by_ext_.emplace(ext, full_value(type));
        }
    }
    return !in.bad();
}

std::string_view MimeTypes::content_type(std::string_view filename) const {
    const auto slash = filename.rfind('/');
    const std::string_view name =
        slash == std::string_view::npos ? filename : filename.substr(slash + 1);
    const auto dot = name.rfind('.');
    // No dot, a trailing dot, or only a leading one (".bashrc"): no extension.
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return octet_stream;
    const std::string_view ext = name.substr(dot + 1);
    if (ext.size() > max_ext_len) return octet_stream;
    char buf[max_ext_len];
    for (std::size_t i = 0; i < ext.size(); ++i) buf[i] = lower(ext[i]);
    const auto it = by_ext_.find(std::string_view(buf, ext.size()));
    return it == by_ext_.end() ? octet_stream : std::string_view(it->second);
}

bool is_text_type(std::string_view type) {
    // Compare only the media type, without parameters, case-insensitively.
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    char buf[128];
    if (type.size() > sizeof buf) return false;
    for (std::size_t i = 0; i < type.size(); ++i) buf[i] = lower(type[i]);
    const std::string_view t(buf, type.size());
    if (t.substr(0, 5) == "text/") return t.size() > 5;
    if (t == "application/javascript" || t == "application/json" || t == "application/xml" ||
        t == "application/xhtml+xml" || t == "image/svg+xml") {
        return true;
    }
    // JSON is UTF-8 by definition (RFC 8259 §8.1), so every +json type (manifest+json,
    // ld+json) can carry the charset truthfully.
    return t.substr(0, 12) == "application/" && ends_with(t, "+json");
}

}  // namespace http
