#include "server/proc/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "config/config.hpp"

namespace server {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("dropping privileges: " + what + ": " + std::strerror(errno));
}

struct Target {
    uid_t uid;
    gid_t gid;
};

Target resolve(const std::string& user, const std::string& group) {
    Target t{::geteuid(), ::getegid()};
    if (!user.empty()) {
        const auto uid = config::resolve_user(user);
        if (!uid) throw std::runtime_error("--user: no such user '" + user + "'");
        t.uid = *uid;
        passwd pw{};
        passwd* found = nullptr;
        std::array<char, 16384> buf{};
        if (::getpwuid_r(t.uid, &pw, buf.data(), buf.size(), &found) == 0 && found)
            t.gid = pw.pw_gid;
        else if (group.empty())
            throw std::runtime_error("--user " + user + " has no passwd entry; give --group too");
    }
    if (!group.empty()) {
        const auto gid = config::resolve_group(group);
        if (!gid) throw std::runtime_error("--group: no such group '" + group + "'");
        t.gid = *gid;
    }
    return t;
}

void verify(const Target& t) {
    uid_t ru = 0, eu = 0, su = 0;
    gid_t rg = 0, eg = 0, sg = 0;
    if (::getresuid(&ru, &eu, &su) != 0 || ::getresgid(&rg, &eg, &sg) != 0) fail("getresuid");
    if (ru != t.uid || eu != t.uid || su != t.uid || rg != t.gid || eg != t.gid || sg != t.gid)
        throw std::runtime_error("dropping privileges: IDs did not change as requested");
    if (::getgroups(0, nullptr) != 0)
        throw std::runtime_error("dropping privileges: supplementary groups remain");
    // The proof that matters: with any saved or effective root left, this would succeed.
    if (t.uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0))
        throw std::runtime_error("dropping privileges: root could be regained");
}

}  // namespace

bool switch_identity(const std::string& user, const std::string& group) {
    if (user.empty() && group.empty()) return false;
    const Target t = resolve(user, group);
    if (::geteuid() != 0) {
        if (t.uid == ::geteuid() && t.gid == ::getegid()) return false;  // already that identity
        throw std::runtime_error("--user/--group: switching identity needs root (running as uid " +
                                 std::to_string(::geteuid()) + ")");
    }
    // Order matters: groups while still root, the user last (after it nothing can be changed).
    if (::setgroups(0, nullptr) != 0) fail("setgroups");
    if (::setresgid(t.gid, t.gid, t.gid) != 0) fail("setresgid");
    if (::setresuid(t.uid, t.uid, t.uid) != 0) fail("setresuid");
    verify(t);
    return true;
}

void drop_privileges(const std::string& user, const std::string& group) {
    if (switch_identity(user, group))
        spdlog::info("running as uid {} gid {} (no supplementary groups)", ::getuid(), ::getgid());
}

void warn_if_root() {
    if (::geteuid() == 0)
        spdlog::warn(
            "serving as root: use --user (or User=/DynamicUser= under systemd) to run "
            "unprivileged");
}

}  // namespace server
