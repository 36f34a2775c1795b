#include "http/site/rules/header_rules.hpp"

#include "http/fields/text.hpp"

namespace http {
void set_extra_header(Response& res, std::string_view name, std::string_view value) {
    for (auto& field : res.extra_headers) {
        if (iequals(field.first, name)) {
            field.second = value;
            return;
        }
    }
    res.extra_headers.emplace_back(name, value);
}

HeaderRules::HeaderRules(const std::vector<HeaderRule>& rules) {
    rules_.reserve(rules.size());
    for (const HeaderRule& r : rules) rules_.push_back({Glob(r.match), r});
}

void HeaderRules::apply(std::string_view path, Response& res) const {
    if (res.status < 200 || res.status >= 400) return;
    for (const Compiled& c : rules_) {
        if (!c.glob.matches(path)) continue;
        for (const auto& [name, value] : c.rule.set) set_extra_header(res, name, value);
    }
}

}  // namespace http
