// scan_toml(): the positions of keys, values and unclosed brackets that the --config messages
// point at (cpptoml itself reports lines only).
#include <catch2/catch.hpp>

#include "config/file/toml_file.hpp"

using config::scan_toml;

TEST_CASE("statements: keys as written, first components, offsets", "[toml][scan]") {
    const auto layout = scan_toml("a = 1\n  \"b c\" = 'x'\n# c\n\n[t.u]\nd . e=2\r\n[[arr]]\n");
    REQUIRE(layout.lines.size() == 7);
    CHECK(layout.lines[5] == "d . e=2");  // CRLF: the CR is no part of the line
    REQUIRE(layout.statements.size() == 5);
    const auto& s = layout.statements;
    CHECK((s[0].key == "a" && s[0].written == "a" && s[0].line == 1));
    CHECK((s[0].key_offset == 0 && s[0].value_offset == 4 && !s[0].header));
    CHECK((s[1].key == "b c" && s[1].written == "\"b c\"" && s[1].line == 2));
    CHECK((s[1].key_offset == 2 && s[1].value_offset == 10));
    CHECK((s[2].key == "t" && s[2].written == "[t.u]" && s[2].header && s[2].line == 5));
    CHECK((s[3].key == "d" && s[3].written == "d . e" && s[3].value_offset == 6));
    CHECK((s[4].key == "arr" && s[4].written == "[[arr]]" && s[4].header));
    CHECK(layout.find("d") == nullptr);  // a key of [t.u], not of the top level
    CHECK(layout.find("t") == &s[2]);
    CHECK(layout.find("e") == nullptr);
    CHECK((s[3].table == "t.u" && s[3].path == "t.u.d.e" && s[2].path == "t.u"));
    CHECK(s[4].path == "arr[1]");
    CHECK(layout.on_line(3) == nullptr);  // a comment
    CHECK(layout.on_line(6) == &s[3]);
}

TEST_CASE("multi-line values belong to their key; what is inside is no key", "[toml][scan]") {
    const auto layout = scan_toml(
        "index = [\n  \"a\",  # ]\n  \"]\"\n]\ntext = \"\"\"\nroot = [\n\"\"\"\nlast = 1\n");
    REQUIRE(layout.statements.size() == 3);
    CHECK(layout.statements[1].key == "text");
    CHECK(layout.statements[2].key == "last");
    for (std::size_t line : {1, 2, 3, 4}) CHECK(layout.on_line(line) == &layout.statements[0]);
    for (std::size_t line : {5, 6, 7}) CHECK(layout.on_line(line) == &layout.statements[1]);
    CHECK(layout.find("root") == nullptr);
    CHECK_FALSE(layout.unclosed);  // brackets in strings and comments do not count
}

TEST_CASE("an array or inline table never closed is found where it opens", "[toml][scan]") {
    SECTION("across lines") {
        const auto layout = scan_toml("a = 1\nindex = [\"a\",\n\"b\"\nroot = \"x\"\n");
        REQUIRE(layout.unclosed);
        CHECK(layout.unclosed->line == 2);
        CHECK(layout.unclosed->offset == 8);
        CHECK(layout.statements[layout.unclosed->statement].key == "index");
    }
    SECTION("nested: the outermost") {
        const auto layout = scan_toml("x = [[1], [2\n");
        REQUIRE(layout.unclosed);
        CHECK(layout.unclosed->offset == 4);
    }
    SECTION("an inline table") {
        const auto layout = scan_toml("x = { a = 1\n");
        REQUIRE(layout.unclosed);
        CHECK(layout.unclosed->offset == 4);
    }
    SECTION("closed ones are not") {
        CHECK_FALSE(scan_toml("x = [[1], [2]]\ny = { a = [1] }\nz = \"[\"\n").unclosed);
    }
}

TEST_CASE("columns count characters, as an editor shows them", "[toml][scan]") {
    const auto layout = scan_toml("k = \"\xC3\xA9t\xC3\xA9\" x\n");
    CHECK(layout.column(1, 0) == 1);
    CHECK(layout.column(1, 4) == 5);
    CHECK(layout.column(1, 12) == 11);  // 'x', after two 2-byte characters
}

TEST_CASE("paths: arrays of tables numbered, sub-tables and inline keys", "[toml][scan]") {
    const auto layout = scan_toml(
        "top = 1\n"
        "[[site]]\n"
        "hosts = [\"a\"]\n"
        "[[site.headers]]\n"
        "set = { \"Cache-Control\" = \"x\", Y = { z = 1 } }\n"
        "[[site]]\n"
        "[site.cors]\n"
        "max-age = 5\n"
        "[[site.headers]]\n"
        "[site.headers.set]\n"
        "a.b = 1\n"
        "list = [{ k = 1 }, { k = 2 }]\n");
    const auto path_of = [&](std::string_view path) {
        const auto* st = layout.find_path(path);
        return st != nullptr ? std::to_string(st->line) + ":" + std::to_string(st->key_offset)
                             : std::string("none");
    };
    CHECK(path_of("top") == "1:0");
    CHECK(path_of("site[1]") == "2:0");
    CHECK(path_of("site[1].hosts") == "3:0");
    CHECK(path_of("site[1].headers[1]") == "4:0");
    CHECK(path_of("site[1].headers[1].set") == "5:0");
    CHECK(path_of("site[1].headers[1].set.Cache-Control") == "5:8");
    CHECK(path_of("site[1].headers[1].set.Y.z") == "5:37");
    CHECK(path_of("site[2].cors") == "7:0");
    CHECK(path_of("site[2].cors.max-age") == "8:0");
    CHECK(path_of("site[2].headers[1].set") == "10:0");
    // Below: the first key under it; missing: the nearest enclosing one.
    CHECK(path_of("site[2].headers[1].set.a") == "11:0");
    CHECK(path_of("site[2].headers[1].set.missing") == "10:0");
    CHECK(path_of("site[3]") == "none");
    CHECK(path_of("site") == "2:0");  // an array of tables: its first element
    CHECK(path_of("site[2].headers[1].set.list[2].k") == "12:21");
    REQUIRE(layout.inline_keys.size() == 5);
    CHECK(layout.inline_keys[0].value_offset == 26);
}

TEST_CASE("quoted keys: escapes read as cpptoml reads them, malformed ones kept", "[toml][scan]") {
    const auto layout = scan_toml(
        "\"a\\tb\\u0000\\u00e9\\U0001F600\" = 1\n'c\\td' = 2\n\"x\\q\\u12\" = 3\n\"e\\\"\\\\\" = "
        "4\n");
    REQUIRE(layout.statements.size() == 4);
    const auto& s = layout.statements;
    CHECK(s[0].key == std::string("a\tb\0\xC3\xA9\xF0\x9F\x98\x80", 10));
    CHECK(s[1].key == "c\\td");      // a literal string has no escapes
    CHECK(s[2].key == "x\\q\\u12");  // cpptoml refuses it; the scanner must not throw first
    CHECK(s[3].key == "e\"\\");
    CHECK(s[3].value_offset == 10);
}
