// The tables of a site in the --config file (issue 16): error-pages, [[headers]],
// [[redirect]] and [cors], at the top level or in a [[site]]. Everything is checked here, at
// load, with the place of the key or value at fault: a header the server owns or a value that
// would split a response never reaches a request.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/file/toml_read.hpp"
#include "config/site_rules.hpp"
#include "config/units.hpp"

namespace config::toml {
namespace {

std::string must_be(const Doc& doc, const Entry& e, std::string_view expected) {
    return doc.value_at(e.path) + "'" + e.path + "' must be " + std::string(expected) + ", not " +
           type_name(e.value);
}

std::string bad_value(const Doc& doc, const std::string& path, const std::string& why) {
    return doc.value_at(path) + "'" + path + "': " + why;
}

std::string bad_key(const Doc& doc, const std::string& path, const std::string& why) {
    return doc.key_at(path) + "'" + path + "': " + why;
}

std::string unknown(const Doc& doc, const Entry& e, std::string_view keys) {
    return doc.key_at(e.path) + "unknown key '" + e.path + "' (" + std::string(keys) + ")";
}

std::string missing(const Doc& doc, const std::string& table, std::string_view what) {
    return doc.key_at(table) + "'" + table + "' needs " + std::string(what);
}

Result get_string(const Doc& doc, const Entry& e, std::string& out) {
    const auto text = e.value->as<std::string>();
    if (!text) return must_be(doc, e, "a string");
    out = text->get();
    return std::nullopt;
}

// The elements of an array of tables, each with its path ("headers[2]"), or nothing.
std::optional<std::vector<std::pair<std::shared_ptr<cpptoml::table>, std::string>>> elements(
    const Entry& e) {
    if (!e.value->is_table_array()) return std::nullopt;
    std::vector<std::pair<std::shared_ptr<cpptoml::table>, std::string>> out;
    for (const auto& table : e.value->as_table_array()->get())
        out.emplace_back(table, e.path + "[" + std::to_string(out.size() + 1) + "]");
    return out;
}

// A status such as 404 from a key's text: digits only, 400..599.
std::optional<unsigned> error_status(std::string_view key) {
    unsigned status = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), status);
    if (ec != std::errc{} || end != key.data() + key.size() || status < 400 || status > 599)
        return std::nullopt;
    return status;
}

Result read_error_pages(const Doc& doc, const Entry& e, std::map<unsigned, std::string>& out) {
    if (!e.value->is_table()) return must_be(doc, e, "a table such as { 404 = \"/404.html\" }");
    for (const Entry& item : in_file_order(*e.value->as_table(), doc, e.path)) {
        const auto status = error_status(item.key);
        if (!status)
            return bad_key(doc, item.path,
                           rules::shown(item.key) + " is not an error status (400..599)");
        std::string path;
        if (auto err = get_string(doc, item, path)) return err;
        if (auto err = rules::check_root_path(path)) return bad_value(doc, item.path, *err);
        out[*status] = std::move(path);
    }
    return std::nullopt;
}

Result read_set(const Doc& doc, const Entry& e, HeaderRule& rule) {
    if (!e.value->is_table())
        return must_be(doc, e, "a table of header names and values ({ Cache-Control = \"...\" })");
    for (const Entry& item : in_file_order(*e.value->as_table(), doc, e.path)) {
        if (auto err = rules::check_header_name(item.key)) return bad_key(doc, item.path, *err);
        const auto same = [&](const auto& set) {
            return std::equal(set.first.begin(), set.first.end(), item.key.begin(), item.key.end(),
                              [](char a, char b) {
                                  return std::tolower(static_cast<unsigned char>(a)) ==
                                         std::tolower(static_cast<unsigned char>(b));
                              });
        };
        if (std::any_of(rule.set.begin(), rule.set.end(), same))
            return bad_key(doc, item.path,
                           rules::shown(item.key) + " is set twice (names have no case)");
        std::string value;
        if (auto err = get_string(doc, item, value)) return err;
        if (auto err = rules::check_header_value(value)) return bad_value(doc, item.path, *err);
        rule.set.emplace_back(item.key, std::move(value));
    }
    if (rule.set.empty()) return bad_value(doc, e.path, "no header to set");
    return std::nullopt;
}

Result read_headers(const Doc& doc, const Entry& e, std::vector<HeaderRule>& out) {
    const auto tables = elements(e);
    if (!tables) return must_be(doc, e, "an array of tables ([[headers]])");
    for (const auto& [table, path] : *tables) {
        HeaderRule rule;
        bool has_match = false;
        for (const Entry& item : in_file_order(*table, doc, path)) {
            if (item.key == "match") {
                if (auto err = get_string(doc, item, rule.match)) return err;
                if (auto err = rules::check_glob(rule.match))
                    return bad_value(doc, item.path, *err);
                has_match = true;
            } else if (item.key == "set") {
                if (auto err = read_set(doc, item, rule)) return err;
            } else {
                return unknown(doc, item, "[[headers]] has match and set");
            }
        }
        if (!has_match) return missing(doc, path, "'match' (a path glob such as \"/assets/**\")");
        if (rule.set.empty()) return missing(doc, path, "'set' (header names and values)");
        out.push_back(std::move(rule));
    }
    return std::nullopt;
}

Result read_redirect_keys(const Doc& doc, const std::shared_ptr<cpptoml::table>& table,
                          const std::string& path, RedirectRule& rule) {
    for (const Entry& item : in_file_order(*table, doc, path)) {
        if (item.key == "from" || item.key == "to") {
            if (auto err = get_string(doc, item, item.key == "from" ? rule.from : rule.to))
                return err;
        } else if (item.key == "status") {
            const auto status = item.value->as<std::int64_t>();
            if (!status) return must_be(doc, item, "an integer (301, 302, 307 or 308)");
            const std::int64_t s = status->get();
            if (s != 301 && s != 302 && s != 307 && s != 308)
                return bad_value(doc, item.path,
                                 std::to_string(s) + " is not 301, 302, 307 or 308");
            rule.status = static_cast<unsigned>(s);
        } else {
            return unknown(doc, item, "[[redirect]] has from, to and status");
        }
    }
    return std::nullopt;
}

Result read_redirects(const Doc& doc, const Entry& e, std::vector<RedirectRule>& out) {
    const auto tables = elements(e);
    if (!tables) return must_be(doc, e, "an array of tables ([[redirect]])");
    for (const auto& [table, path] : *tables) {
        RedirectRule rule;
        if (auto err = read_redirect_keys(doc, table, path, rule)) return err;
        if (!table->contains("from")) return missing(doc, path, "'from' (the path redirected)");
        if (!table->contains("to")) return missing(doc, path, "'to' (a path or a URL)");
        if (auto err = rules::check_redirect_from(rule.from))
            return bad_value(doc, path + ".from", *err);
        const auto earlier = std::find_if(
            out.begin(), out.end(), [&](const RedirectRule& r) { return r.from == rule.from; });
        if (earlier != out.end())
            return bad_value(doc, path + ".from",
                             rules::shown(rule.from) + " is also " + e.path + "[" +
                                 std::to_string(earlier - out.begin() + 1) + "]'s 'from'");
        if (auto err = rules::check_redirect_to(rule.to, rule.from.ends_with('/')))
            return bad_value(doc, path + ".to", *err);
        out.push_back(std::move(rule));
    }
    return std::nullopt;
}

// origins, methods, headers: an array of strings, or one string ("a,b").
Result read_list(const Doc& doc, const Entry& e, std::vector<std::string>& out) {
    auto items = string_list(e.value);
    if (!items) return must_be(doc, e, "an array of strings or a string (\"a,b\")");
    if (items->empty()) return bad_value(doc, e.path, "an empty list");
    for (std::string& item : *items) {
        Result err;
        if (e.key == "origins")
            err = item == "*" && items->size() > 1
                      ? Result("'*' stands alone, never beside origins")
                      : rules::normalize_origin(item);
        else if (!rules::is_token(item))
            err = rules::shown(item) + " is not a token (letters, digits and !#$%&'*+-.^_`|~)";
        if (err) return bad_value(doc, e.path, *err);
    }
    out = std::move(*items);
    return std::nullopt;
}

Result read_max_age(const Doc& doc, const Entry& e, std::chrono::seconds& out) {
    const auto text = e.value->as<std::string>();
    const auto integer = e.value->as<std::int64_t>();
    if (!text && !integer)
        return must_be(doc, e, "an integer (seconds) or a string such as \"10m\"");
    const std::string written = text ? text->get() : std::to_string(integer->get());
    const auto d = parse_duration(written);
    if (!d)
        return bad_value(doc, e.path, "invalid duration '" + written + "' (use e.g. 10m, 3600s)");
    if (d->count() % 1000 != 0)
        return bad_value(doc, e.path, "max-age is whole seconds (use e.g. 10m or 3600s)");
    out = std::chrono::duration_cast<std::chrono::seconds>(*d);
    return std::nullopt;
}

Result read_cors(const Doc& doc, const Entry& e, CorsRule& out) {
    if (!e.value->is_table()) return must_be(doc, e, "a table ([cors])");
    for (const Entry& item : in_file_order(*e.value->as_table(), doc, e.path)) {
        Result err;
        if (item.key == "origins")
            err = read_list(doc, item, out.origins);
        else if (item.key == "methods")
            err = read_list(doc, item, out.methods);
        else if (item.key == "headers")
            err = read_list(doc, item, out.headers);
        else if (item.key == "max-age")
            err = read_max_age(doc, item, out.max_age);
        else
            err = unknown(doc, item, "[cors] has origins, methods, headers and max-age");
        if (err) return err;
    }
    if (out.origins.empty()) return missing(doc, e.path, "'origins' (\"*\" or a list of origins)");
    return std::nullopt;
}

}  // namespace

bool is_table_key(std::string_view key) {
    return key == "error-pages" || key == "headers" || key == "redirect" || key == "cors";
}

Result read_table(const Doc& doc, const Entry& entry, FileTables& out) {
    if (entry.key == "error-pages") return read_error_pages(doc, entry, out.error_pages.emplace());
    if (entry.key == "headers") return read_headers(doc, entry, out.headers.emplace());
    if (entry.key == "redirect") return read_redirects(doc, entry, out.redirects.emplace());
    return read_cors(doc, entry, out.cors.emplace());
}

}  // namespace config::toml
