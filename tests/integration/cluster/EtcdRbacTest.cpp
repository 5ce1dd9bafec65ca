#include "EtcdEnv.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <thread>

using namespace certagent;
using namespace certagent::cluster;
using namespace certagent::test;
using std::chrono::seconds;

namespace {

const std::string kPassword = "h0st-b:Secret\"pw";

/// RBAC as the ops note describes it: root, a role with readwrite on /certagent/, one user per
/// host, auth on. Simple tokens live 1 s here so the refresh path runs for real.
struct RbacCluster {
    EtcdCluster etcd{EtcdClusterOptions{3, {"--auth-token-ttl=1"}}};
    RbacCluster() {
        etcd.etcdctl({"user", "add", "root", "--no-password"});
        etcd.etcdctl({"user", "grant-role", "root", "root"});
        etcd.etcdctl({"role", "add", "certagent"});
        etcd.etcdctl(
            {"role", "grant-permission", "certagent", "readwrite", "/certagent/", "--prefix=true"});
        etcd.etcdctl({"user", "add", "host-b", "--new-user-password=" + kPassword});
        etcd.etcdctl({"user", "grant-role", "host-b", "certagent"});
        etcd.etcdctl({"auth", "enable"});
    }
    EtcdSettings settings(std::vector<std::string>* logs = nullptr) {
        EtcdSettings s = agentSettings(etcd, {}, seconds(5), logs);
        s.user = "host-b";
        s.password = std::make_shared<const Secret>(std::string_view(kPassword));
        return s;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(EtcdRbac)

BOOST_AUTO_TEST_CASE(the_agent_user_works_under_certagent_and_nowhere_else) {
    RbacCluster rbac;
    std::vector<std::string> logs;
    EtcdClient client(rbac.settings(&logs));
    client.put("/certagent/v1/web-eu/members/web-02", "{}");
    RangeRequest r;
    r.key = "/certagent/v1/web-eu/members/web-02";
    BOOST_TEST(client.range(r).kvs.size() == 1u);

    const EtcdError outside = failureOf([&] { client.put("/other/x", "y"); });
    BOOST_TEST(outside.exitCode() == 4);
    BOOST_TEST(outside.httpStatus() == 403);
    BOOST_TEST(outside.what() ==
               std::string("etcd kv/put: permission denied: [cluster] user needs an etcd role with "
                           "readwrite on the fleet's prefix (/certagent/) (HTTP 403, code 7: "
                           "etcdserver: permission denied)"));

    // The 1 s simple token expires while idle; the next call authenticates again by itself.
    const bool refreshed = eventually(
        [&] {
            client.put("/certagent/v1/web-eu/members/web-02", "{\"again\":true}");
            return std::any_of(logs.begin(), logs.end(), [](const std::string& l) {
                return l.find("authenticating again") != std::string::npos;
            });
        },
        seconds(20), std::chrono::milliseconds(1500));
    BOOST_TEST(refreshed);
    for (const std::string& line : logs) {
        BOOST_TEST(line.find(kPassword) == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(wrong_credentials_missing_user_and_a_cn_certificate_are_refused) {
    RbacCluster rbac;
    EtcdSettings wrong = rbac.settings();
    wrong.password = std::make_shared<const Secret>(std::string_view("not-the-password"));
    const EtcdError badPassword = failureOf([&] { EtcdClient(wrong).put("/certagent/v1/x", "y"); });
    BOOST_TEST(badPassword.exitCode() == 4);
    BOOST_TEST(std::string(badPassword.what())
                   .find("etcd auth/authenticate: user or password "
                         "refused") == 0u);

    EtcdSettings anonymous = rbac.settings();
    anonymous.user.clear();
    anonymous.password.reset();
    const EtcdError noUser = failureOf([&] { EtcdClient(anonymous).put("/certagent/v1/x", "y"); });
    BOOST_TEST(noUser.exitCode() == 2);
    BOOST_TEST(std::string(noUser.what()).find("set [cluster] user and password_file") !=
               std::string::npos);

    // etcd 3.4 refuses gateway requests whose client certificate has a CN once auth is on.
    EtcdSettings withCn = rbac.settings();
    const auto [cert, key] = rbac.etcd.certWithCn("host-b");
    withCn.tls.clientCertFile = cert;
    withCn.tls.clientKeyFile = key;
    const EtcdError cn = failureOf([&] { EtcdClient(withCn).put("/certagent/v1/x", "y"); });
    BOOST_TEST_MESSAGE("client certificate with a CN: " << cn.what());
    BOOST_TEST(cn.exitCode() == 2);
    BOOST_TEST((cn.reason() == EtcdError::Reason::Misconfigured));
}

BOOST_AUTO_TEST_SUITE_END()
