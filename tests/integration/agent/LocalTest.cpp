// What a local user (or a careless admin) can do to the files certagent works in, through the real
// binary: swap a web root for a link, open the store to everyone, point a live link elsewhere.
#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent::test;

namespace {

using Calls = std::vector<std::string>;

constexpr uid_t kSiteUser = 65534; // nobody: the site user who owns the site's directory

/// Version 1 installed from a web root <dir>/site/public below a directory the site user owns.
struct SiteEnv {
    AgentEnv env;
    std::string site = env.dir() / "site";
    std::string webroot = site + "/public";
    std::string elsewhere = env.dir() / "elsewhere";
    std::string v1;

    SiteEnv() {
        BOOST_TEST_REQUIRE(::mkdir(site.c_str(), 0755) == 0);
        BOOST_TEST_REQUIRE(::mkdir(webroot.c_str(), 0755) == 0);
        BOOST_TEST_REQUIRE(::mkdir(elsewhere.c_str(), 0755) == 0);
        for (const auto& d : {site, webroot, elsewhere})
            BOOST_TEST_REQUIRE(::chown(d.c_str(), kSiteUser, kSiteUser) == 0);
        std::string cert = env.defaultCert();
        cert.replace(cert.find(env.webroot()), env.webroot().size(), webroot);
        env.configure(cert);
        auto first = env.agent({"run"});
        BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
        v1 = env.liveCertText();
    }
};

bool isEmptyDir(const std::string& dir) {
    return runCommand({"find", dir, "-mindepth", "1"}).output.empty();
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentLocal)

// Issue 11, defect 4: the site user replaces the web root by a link to a directory of their
// choice; root must not create .well-known there, and must find out before paying for a reissue.
BOOST_AUTO_TEST_CASE(swapped_web_root_is_refused_before_a_reissue) {
    SiteEnv s;
    BOOST_TEST_REQUIRE(::rename(s.webroot.c_str(), (s.webroot + ".old").c_str()) == 0);
    BOOST_TEST_REQUIRE(::symlink(s.elsewhere.c_str(), s.webroot.c_str()) == 0);
    BOOST_TEST_REQUIRE(::lchown(s.webroot.c_str(), kSiteUser, kSiteUser) == 0);

    auto r = s.env.agent({"issue", "shop"});
    BOOST_TEST(r.exitCode == 4, r.output);
    BOOST_TEST(r.output.find("web root " + s.webroot + ": " + s.webroot + " is a symlink in " +
                             s.site + ", which others than root can change; not following it") !=
                   std::string::npos,
               r.output);
    BOOST_TEST(isEmptyDir(s.elsewhere));
    BOOST_TEST(s.env.orderCalls() == (Calls{"addSSLOrder"}));
    BOOST_TEST(s.env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(s.env.liveCertText() == s.v1);
    BOOST_TEST(s.env.state()["phase"] == "installed");
}

// Issue 11, defect 5: the store was opened to everyone and a backup/ link planted in it; the run
// must stop before using anything in it, naming the fix, and leave the mode for the admin to see.
BOOST_AUTO_TEST_CASE(store_open_to_others_is_refused_with_the_fix) {
    SiteEnv s;
    const std::string store = s.env.store();
    BOOST_TEST_REQUIRE(::chmod(store.c_str(), 0777) == 0);
    BOOST_TEST_REQUIRE(::symlink(s.elsewhere.c_str(), (store + "/backup").c_str()) == 0);

    auto r = s.env.agent({"issue", "shop"});
    BOOST_TEST(r.exitCode == 7, r.output);
    BOOST_TEST(r.output.find("store directory " + store +
                             " is writable by group or others, so anything in it may have been "
                             "planted; check what is in it, then: chmod go-w " +
                             store) != std::string::npos,
               r.output);
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(store.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0777u); // not "repaired" behind the admin's back
    BOOST_TEST(isEmptyDir(s.elsewhere));
    BOOST_TEST(s.env.orderCalls() == (Calls{"addSSLOrder"}));

    BOOST_TEST_REQUIRE(::chmod(store.c_str(), 0755) == 0); // the admin's fix
    auto fixed = s.env.agent({"run"});
    BOOST_TEST(fixed.exitCode == 0, fixed.output);
}

// Issue 11, defect 6: live/shop made to point outside archive/shop; the deployed version is known,
// so the link goes back to it, the log says so, and no needless reissue is placed.
BOOST_AUTO_TEST_CASE(foreign_live_link_is_restored_to_the_deployed_version) {
    SiteEnv s;
    const std::string live = s.env.store() + "/live/shop";
    BOOST_TEST_REQUIRE(::unlink(live.c_str()) == 0);
    BOOST_TEST_REQUIRE(::symlink(s.elsewhere.c_str(), live.c_str()) == 0);

    auto r = s.env.agent({"run"});
    BOOST_TEST(r.exitCode == 0, r.output);
    BOOST_TEST(r.output.find(live + " points at \"" + s.elsewhere +
                             "\", not a complete version of shop; pointed it back at " +
                             s.env.store() + "/archive/shop/0001, the deployed version") !=
                   std::string::npos,
               r.output);
    BOOST_TEST(s.env.liveLink() == "../archive/shop/0001");
    BOOST_TEST(s.env.liveCertText() == s.v1);
    BOOST_TEST(s.env.orderCalls() == (Calls{"addSSLOrder"}));
    BOOST_TEST(s.env.state()["phase"] == "installed");

    auto again = s.env.agent({"run"});
    BOOST_TEST(again.exitCode == 0, again.output);
    BOOST_TEST(again.output.find("pointed it back") == std::string::npos, again.output);
}

// Issue 11, defect 2: an error message that quotes a configured path as it was written (here the
// store's) reaches the terminal through the one escaping function, not raw.
BOOST_AUTO_TEST_CASE(terminal_escapes_in_a_top_level_error_are_escaped) {
    AgentEnv env;
    env.configure(env.defaultCert());
    const std::string blocker = env.dir() / "blocker";
    writeFile(blocker, "");
    const std::string conf = env.etc() + "/certagent.conf";
    std::string text = readFile(conf);
    text.replace(text.find(env.store()), env.store().size(), blocker + "/\x1b]0;owned\x07");
    writeFile(conf, text);

    auto r = env.agent({"run"});
    BOOST_TEST(r.exitCode == 7, r.output);
    BOOST_TEST(r.output.find("certagent: checking " + blocker +
                             "/\\x1B]0;owned\\x07: Not a directory") != std::string::npos,
               r.output);
    BOOST_TEST(r.output.find('\x1b') == std::string::npos);
    BOOST_TEST(r.output.find('\x07') == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
