#include "response_check.hpp"

#include <charconv>
#include <string>

#include "fuzz_check.hpp"

namespace fuzz {
namespace {

constexpr std::string_view crlf = "\r\n";

bool is_tchar(char c) {
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
}

bool is_field_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7f);
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lo = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lo(a[i]) != lo(b[i])) return false;
    }
    return true;
}

std::uint64_t to_u64(std::string_view s, std::string_view what) {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    require(!s.empty() && ec == std::errc() && p == s.data() + s.size(), what, s);
    return v;
}

// The fields of one head that framing depends on; each at most once.
struct Fields {
    const std::string_view* find(std::string_view name) const {
        for (const auto& [n, v] : list)
            if (iequals(n, name)) return &v;
        return nullptr;
    }
    std::vector<std::pair<std::string_view, std::string_view>> list;
};

int parse_status_line(std::string_view line) {
    require(line.size() >= 13 && line.substr(0, 9) == "HTTP/1.1 " && line[12] == ' ',
            "status line shape", line);
    const int status = static_cast<int>(to_u64(line.substr(9, 3), "status code digits"));
    require(status >= 200 && status <= 599, "status code range", line);
    for (const char c : line.substr(13)) require(is_field_char(c) && c != '\t', "reason phrase byte", line);
    return status;
}

Fields parse_fields(std::string_view lines) {
    constexpr std::string_view singletons[] = {"content-length", "content-type", "content-range",
                                               "connection", "date", "server", "location",
                                               "etag", "last-modified", "transfer-encoding"};
    Fields f;
    while (!lines.empty()) {
        const std::size_t eol = lines.find(crlf);
        const std::string_view line = lines.substr(0, eol);
        lines.remove_prefix(eol + crlf.size());
        const std::size_t colon = line.find(": ");
        require(colon != std::string_view::npos && colon > 0, "header line shape", line);
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = line.substr(colon + 2);
        for (const char c : name) require(is_tchar(c), "header name byte", line);
        for (const char c : value) require(is_field_char(c), "header value byte", line);
        for (const std::string_view s : singletons)
            require(!iequals(name, s) || f.find(s) == nullptr, "repeated header", line);
        f.list.emplace_back(name, value);
    }
    require(f.find("transfer-encoding") == nullptr, "Transfer-Encoding in a response");
    require(f.find("date") != nullptr && f.find("server") != nullptr, "Date and Server present");
    return f;
}

// "bytes a-b/n" must describe exactly the body; "bytes */n" only on 416.
void check_content_range(int status, const Fields& f, std::uint64_t content_length) {
    const std::string_view* cr = f.find("content-range");
    const std::string_view* ct = f.find("content-type");
    if (status == 416) {
        require(cr != nullptr && cr->substr(0, 8) == "bytes */", "416 without bytes */N");
        to_u64(cr->substr(8), "416 complete length");
        return;
    }
    if (status != 206) {
        require(cr == nullptr, "Content-Range outside 206/416");
        return;
    }
    if (ct != nullptr && ct->substr(0, 31) == "multipart/byteranges; boundary=") {
        require(cr == nullptr, "multipart 206 with a top-level Content-Range");
        return;
    }
    require(cr != nullptr && cr->substr(0, 6) == "bytes ", "206 without Content-Range");
    const std::string_view spec = cr->substr(6);
    const std::size_t dash = spec.find('-'), slash = spec.find('/');
    require(dash != std::string_view::npos && slash != std::string_view::npos && dash < slash,
            "Content-Range shape", *cr);
    const std::uint64_t first = to_u64(spec.substr(0, dash), "range first");
    const std::uint64_t last = to_u64(spec.substr(dash + 1, slash - dash - 1), "range last");
    const std::uint64_t size = to_u64(spec.substr(slash + 1), "range size");
    require(first <= last && last < size, "range inside the representation", *cr);
    require(last - first + 1 == content_length, "Content-Length matches Content-Range", *cr);
}

void check_multipart_body(const Fields& f, std::string_view body) {
    const std::string_view* ct = f.find("content-type");
    if (ct == nullptr || ct->substr(0, 31) != "multipart/byteranges; boundary=") return;
    const std::string close_delimiter = "\r\n--" + std::string(ct->substr(31)) + "--\r\n";
    require(body.size() >= close_delimiter.size() &&
                body.substr(body.size() - close_delimiter.size()) == close_delimiter,
            "multipart body ends with its close delimiter");
}

// Reads one response at the front of `out`, removes it, and describes it.
ParsedResponse take_response(std::string_view& out, bool head_request, const ResponseBounds& b) {
    const std::size_t head_end = out.find("\r\n\r\n");
    require(head_end != std::string_view::npos, "response head terminated", out);
    require(head_end + 4 <= b.max_head, "response head size bound", out.substr(0, head_end));
    const std::string_view head = out.substr(0, head_end + 2);  // through the last field's CRLF
    const std::size_t first_eol = head.find(crlf);
    ParsedResponse r;
    r.status = parse_status_line(head.substr(0, first_eol));
    const Fields f = parse_fields(head.substr(first_eol + crlf.size()));
    const std::string_view* cl = f.find("content-length");
    const bool bodiless_status = r.status == 204 || r.status == 304;
    require(bodiless_status == (cl == nullptr), "Content-Length present unless 204/304", head);
    const std::uint64_t length = cl == nullptr ? 0 : to_u64(*cl, "Content-Length value");
    require(length <= b.max_body, "response body size bound", head);
    check_content_range(r.status, f, length);
    const std::string_view* conn = f.find("connection");
    r.close = conn != nullptr && *conn == "close";
    if (r.status == 301) require(f.find("location") != nullptr, "301 without Location", head);
    r.body_length = head_request ? 0 : length;
    out.remove_prefix(head_end + 4);
    require(out.size() >= r.body_length, "body as long as its Content-Length", head);
    if (!head_request) check_multipart_body(f, out.substr(0, r.body_length));
    out.remove_prefix(r.body_length);
    return r;
}

}  // namespace

std::vector<ParsedResponse> split_responses(std::string_view output,
                                            const std::vector<bool>& head_request,
                                            const ResponseBounds& bounds) {
    std::vector<ParsedResponse> responses;
    for (const bool head : head_request) responses.push_back(take_response(output, head, bounds));
    require(output.empty(), "no bytes after the last response", output);
    return responses;
}

}  // namespace fuzz
