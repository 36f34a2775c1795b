// MIME types by file extension. A built-in table for the web's types, optionally extended from
// a mime.types file (Debian's /etc/mime.types format). Built by the StaticHandler's
// constructor (at startup or reload, on that thread; load_file() reads the file with blocking
// I/O). Lookups, by the static handler for every response, are const, thread-safe and never
// block.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace http {

class MimeTypes {
public:
    // The built-in table only.
    MimeTypes();

    // Adds entries from a mime.types file ("type ext ext ..." lines, '#' comments). Built-in
    // entries win over the file for the extensions they cover, so a distribution file cannot
    // downgrade e.g. .js to a legacy type. Returns false if the file could not be read.
    bool load_file(const std::string& path);

    // Full Content-Type value for a file name: "text/html; charset=utf-8",
    // "image/png", "application/octet-stream" for unknown extensions. Extension match is
    // case-insensitive and uses the last '.' of the final path segment.
    std::string_view content_type(std::string_view filename) const;

private:
    // Transparent hashing lets content_type() look up a string_view without building a
    // std::string: no allocation per request on any standard library.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> by_ext_;  // ext -> value
};

// True for types that get "; charset=utf-8": text/*, and application/javascript, json, xml,
// xhtml+xml, manifest+json, image/svg+xml.
bool is_text_type(std::string_view type);

}  // namespace http
