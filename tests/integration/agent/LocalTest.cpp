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

BOOST_AUTO_TEST_SUITE_END()
