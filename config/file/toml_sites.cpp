// [[site]] tables in the --config file (issue 16): each is the names it answers to, the
// options a site may set and the site tables. Where a site is silent it inherits the top
// level's final values (flags included); cli.cpp builds its Config from what is read here.
#include <algorithm>

#include "config/file/toml_read.hpp"
#include "config/site_rules.hpp"

namespace config::toml {
namespace {

// hosts: names checked and lower-cased; none twice, in this site or an earlier one (a Host
// must choose one site).
Result read_hosts(const Doc& doc, const Entry& e, const std::vector<FileSite>& earlier,
                  std::vector<std::string>& out) {
    auto hosts = string_list(e.value);
    const std::string at = doc.value_at(e.path) + "'" + e.path + "'";
    if (!hosts)
        return at + " must be an array of strings or a string (\"a,b\"), not " + type_name(e.value);
    if (hosts->empty()) return at + ": no host name (give at least one)";
    for (std::string& host : *hosts) {
        if (auto err = rules::normalize_host(host)) return at + ": " + *err;
        if (std::count(hosts->begin(), hosts->end(), host) > 1)
            return at + ": '" + host + "' is given twice";
        for (std::size_t i = 0; i < earlier.size(); ++i) {
            const auto& other = earlier[i].hosts;
            if (std::find(other.begin(), other.end(), host) != other.end())
                return at + ": '" + host + "' is also a host of site[" + std::to_string(i + 1) +
                       "]";
        }
    }
    out = std::move(*hosts);
    return std::nullopt;
}

// An option key of a site: one a site may set, into site.values.
Result read_site_key(const Doc& doc, const Entry& e, FileSite& site) {
    const std::string key_at = doc.key_at(e.path);
    if (command_line_only(e.key))
        return key_at + "'" + e.path + "' is allowed only on the command line";
    const Option* opt = find_option(e.key);
    if (opt == nullptr) return key_at + "unknown key '" + e.path + "'";
    if (!opt->site)
        return key_at + "'" + e.path +
               "' cannot be set in a [[site]]: it is the whole server's (set it at the top level)";
    const TomlStatement* st = doc.layout.find_path(e.path);
    const bool dotted = st == nullptr || st->path != e.path || st->header;
    // A site has one certificate, added to the SNI pairs: a string, not a list.
    if ((e.key == "tls-cert" || e.key == "tls-key") && !e.value->as<std::string>())
        return (dotted ? key_at : doc.value_at(e.path)) + "'" + e.path +
               "' must be a string (a site has one certificate), not " + type_name(e.value);
    return take_value(*opt, e.path, e.value, key_at, doc.value_at(e.path), dotted, site.values);
}

bool has_value(const FileSite& site, std::string_view name) {
    return site.values[static_cast<std::size_t>(find_option(name) - options().data())].has_value();
}

Result read_site(const Doc& doc, const cpptoml::table& table, const std::string& path,
                 const std::vector<FileSite>& earlier, FileSite& site) {
    site.values.assign(options().size(), std::nullopt);
    site.place = doc.key_at(path);
    bool hosts = false;
    for (const Entry& item : in_file_order(table, doc, path)) {
        Result err;
        if (item.key == "hosts") {
            err = read_hosts(doc, item, earlier, site.hosts);
            hosts = true;
        } else if (is_table_key(item.key)) {
            err = read_table(doc, item, site.tables);
        } else if (item.key == "site") {
            err = doc.key_at(item.path) + "'" + item.path + "': [[site]] tables do not nest";
        } else {
            err = read_site_key(doc, item, site);
        }
        if (err) return err;
    }
    if (!hosts) return site.place + "'" + path + "' needs 'hosts' (the names it answers to)";
    const bool cert = has_value(site, "tls-cert"), key = has_value(site, "tls-key");
    if (cert != key) {
        const std::string given = cert ? "tls-cert" : "tls-key",
                          other = cert ? "tls-key" : "tls-cert";
        return doc.key_at(path + "." + given) + "'" + path + "." + given + "' needs '" + other +
               "' beside it (a site's certificate and its key)";
    }
    return std::nullopt;
}

}  // namespace

Result read_sites(const Doc& doc, const Entry& entry, std::vector<FileSite>& out) {
    if (!entry.value->is_table_array())
        return doc.key_at(entry.path) + "'site' must be an array of tables ([[site]]), not " +
               type_name(entry.value);
    for (const auto& table : entry.value->as_table_array()->get()) {
        FileSite site;
        const std::string path = "site[" + std::to_string(out.size() + 1) + "]";
        if (auto err = read_site(doc, *table, path, out, site)) return err;
        out.push_back(std::move(site));
    }
    return std::nullopt;
}

}  // namespace config::toml
