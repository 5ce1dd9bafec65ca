// Fleet operations under failure and attack (design-fleet §4.3, §5): a host cut off from its only
// etcd member, clients etcd must refuse, and secrets that must never reach any output.
#include "FleetEnv.h"
#include "cluster/FleetKey.h"

#include <Poco/String.h>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <sstream>

using namespace certagent;
using namespace certagent::test;

namespace {

/// Every file and symlink under the store `dir` with its content (or link target): what a run
/// changed. The index is left out: a cache of check times that every run rewrites atomically.
std::map<std::string, std::string> tree(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        const std::string rel = std::filesystem::relative(e.path(), dir).string();
        if (rel == "index")
            continue;
        if (e.is_symlink())
            out[rel] = "-> " + std::filesystem::read_symlink(e.path()).string();
        else if (e.is_regular_file())
            out[rel] = readFile(e.path().string());
    }
    return out;
}

std::string changed(const std::map<std::string, std::string>& before,
                    const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [path, text] : after)
        if (!before.count(path) || before.at(path) != text)
            out += "changed or new: " + path + "\n";
    for (const auto& [path, text] : before)
        if (!after.count(path))
            out += "removed: " + path + "\n";
    return out;
}

/// Lines of `output` that name a problem (certagent's warnings and errors), for the "one clear
/// line" checks.
std::vector<std::string> linesWith(const std::string& output, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);)
        if (line.find(needle) != std::string::npos)
            out.push_back(line);
    return out;
}

const std::string kEtcdPassword = "fl33t-Pass:w0rd\"x";

/// RBAC on the fleet's etcd as the ops note describes it: root (etcdctl's CN=root certificate),
/// a role with readwrite on /certagent/, the agents' user with it and a user without any role.
void enableRbac(EtcdCluster& etcd) {
    etcd.etcdctl({"user", "add", "root", "--no-password"});
    etcd.etcdctl({"user", "grant-role", "root", "root"});
    etcd.etcdctl({"role", "add", "certagent"});
    etcd.etcdctl(
        {"role", "grant-permission", "certagent", "readwrite", "/certagent/", "--prefix=true"});
    for (const char* user : {"fleet-agent", "no-role"})
        etcd.etcdctl({"user", "add", user, "--new-user-password=" + kEtcdPassword});
    etcd.etcdctl({"user", "grant-role", "fleet-agent", "certagent"});
    etcd.etcdctl({"auth", "enable"});
}

/// [cluster] user/password_file for `user`, a log file and a metrics textfile in the host's etc.
void configureWithUser(FleetHost& host, const std::string& user) {
    writeFile(host.etc() + "/etcd.pass", kEtcdPassword + "\n", 0600);
    host.configure("user = " + user + "\npassword_file = etcd.pass\n[log]\ntarget = file " +
                   host.etc() + "/certagent.log\n[metrics]\ntextfile = " + host.etc() +
                   "/certagent.prom\n");
}

/// Runs certagent on `host` with a fresh log file; returns the exit code and what it logged.
CommandOutput loggedRun(FleetHost& host, const std::vector<std::string>& args) {
    writeFile(host.etc() + "/certagent.log", "", 0600);
    CommandOutput out = host.agent(args);
    out.output += readFile(host.etc() + "/certagent.log");
    return out;
}

/// certagent.conf without the [cluster] client certificate lines.
void dropClientCertificate(FleetHost& host) {
    const std::string path = host.etc() + "/certagent.conf";
    std::istringstream lines(readFile(path));
    std::string kept;
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("cert_file =", 0) != 0 && line.rfind("key_file =", 0) != 0)
            kept += line + "\n";
    writeFile(path, kept, 0644);
}

} // namespace

BOOST_AUTO_TEST_SUITE(FleetOps)

BOOST_AUTO_TEST_CASE(a_host_cut_off_from_its_only_member_exits_3_keeps_serving_and_catches_up) {
    FleetEnv env;
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string first = env.host(0).served();
    auto forced = env.host(0).agent({"run", "--force"}); // a second version, served everywhere
    BOOST_TEST_REQUIRE(forced.exitCode == 0, forced.output);
    outputs = env.runUntilReplaced(first);
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string second = env.host(0).served();
    BOOST_TEST_REQUIRE(second != first, outputs);

    // web-3 lists one member only, and that member freezes: TCP connects, TLS never answers.
    const std::size_t only = (env.etcd().leader() + 1) % env.etcd().size();
    env.host(2).configure("", {env.etcd().endpoint(only)});
    env.etcd().stop(only);
    auto back = env.host(0).agent({"cluster", "rollback", "shop"}); // the others go on
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    for (int round = 0; round < 4 && env.host(1).served() != first; ++round)
        for (std::size_t i : {0u, 1u})
            outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST(env.host(0).served() == first, outputs);
    BOOST_TEST(env.host(1).served() == first, outputs);

    const auto before = tree(env.host(2).store());
    auto cut = env.host(2).agent({"run"});
    BOOST_TEST_MESSAGE("--- web-3 cut off:\n" << cut.output);
    BOOST_TEST(cut.exitCode == 3, cut.output);
    const auto problems = linesWith(cut.output, env.etcd().endpoint(only));
    BOOST_TEST(problems.size() == 1u, cut.output);
    BOOST_TEST(cut.output.find("timeout connecting to 127.0.0.1:") != std::string::npos,
               cut.output);
    BOOST_TEST(env.host(2).served() == second); // keeps serving what it served
    BOOST_TEST(changed(before, tree(env.host(2).store())).empty(),
               changed(before, tree(env.host(2).store())));
    BOOST_TEST(env.host(2).dcvFiles().empty());

    env.etcd().resume(only);
    auto healed = env.host(2).agent({"run"});
    BOOST_TEST(healed.exitCode == 0, healed.output);
    BOOST_TEST(env.converged(), healed.output);
    BOOST_TEST(env.host(2).served() == first);
    BOOST_TEST(env.orderCalls().size() == 2u);
}

BOOST_AUTO_TEST_CASE(secrets_stay_out_of_every_output_and_etcd_refuses_wrong_clients_clearly) {
    FleetEnv env;
    enableRbac(env.etcd());
    for (std::size_t i = 0; i < env.size(); ++i)
        configureWithUser(env.host(i), "fleet-agent");
    std::string outputs = env.runUntilConverged(); // a full issuance under RBAC
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    for (std::size_t i = 0; i < env.size(); ++i) {
        FleetHost& h = env.host(i);
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"sync"}, {"--json", "status"}, {"--json", "cluster", "status"}}) {
            auto out = h.agent(args);
            BOOST_TEST(out.exitCode == 0, args.back() << ": " << out.output);
            outputs += out.output;
        }
        outputs += readFile(h.etc() + "/certagent.log") + readFile(h.etc() + "/certagent.prom");
    }
    BOOST_TEST(outputs.find("certagent_cluster_up") != std::string::npos);
    const std::string fleetKey = Poco::trim(readFile(env.fleetKeyFile()));
    BOOST_TEST_REQUIRE(fleetKey.size() == 44u);
    for (const std::string& secret : {fleetKey, fleetKey.substr(0, 20), kEtcdPassword,
                                      env.sandbox().pass(), std::string("PRIVATE KEY")})
        BOOST_TEST(outputs.find(secret) == std::string::npos, "found in the outputs: " << secret);

    // A user without the role on the prefix: one permission line, exit 4, no retries.
    configureWithUser(env.host(2), "no-role");
    const long before = env.etcdRequests();
    auto denied = loggedRun(env.host(2), {"run"});
    const long requests = env.etcdRequests() - before;
    BOOST_TEST_MESSAGE("--- no role (" << requests << " etcd requests):\n" << denied.output);
    BOOST_TEST(denied.exitCode == 4, denied.output);
    BOOST_TEST(linesWith(denied.output, "permission denied: [cluster] user needs an etcd role "
                                        "with readwrite on the fleet's prefix")
                       .size() == 1u,
               denied.output);
    BOOST_TEST(requests <= 3, requests); // authenticate, the refused read, nothing repeated
    BOOST_TEST(denied.output.find(kEtcdPassword) == std::string::npos);
    BOOST_TEST(env.host(2).served() == env.host(0).served());

    // A client without a certificate: every member refuses the handshake.
    configureWithUser(env.host(1), "fleet-agent");
    dropClientCertificate(env.host(1));
    auto anonymous = loggedRun(env.host(1), {"run"});
    BOOST_TEST_MESSAGE("--- no client certificate:\n" << anonymous.output);
    BOOST_TEST(anonymous.exitCode == 4, anonymous.output);
    BOOST_TEST(linesWith(anonymous.output, "refused this host's client certificate").size() == 1u,
               anonymous.output);
    BOOST_TEST(env.host(1).served() == env.host(0).served());
}

BOOST_AUTO_TEST_CASE(rekey_after_a_key_rotation_lets_fleet_key_old_go_and_every_host_converges) {
    FleetEnv env;
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string first = env.host(0).served();
    auto forced = env.host(0).agent({"run", "--force"}); // two sealed versions under the old key
    BOOST_TEST_REQUIRE(forced.exitCode == 0, forced.output);
    outputs = env.runUntilReplaced(first);
    BOOST_TEST_REQUIRE(env.converged(), outputs);

    // Rotation: every host gets the new key as fleet_key and keeps the old one as fleet_key_old.
    const std::string newKey = cluster::FleetKey::generateText().reveal();
    for (std::size_t i = 0; i < env.size(); ++i) {
        FleetHost& h = env.host(i);
        writeFile(h.etc() + "/fleet.old.key", readFile(h.etc() + "/fleet.key"), 0600);
        writeFile(h.etc() + "/fleet.key", newKey, 0600);
        h.configure("fleet_key_old = fleet.old.key\n");
    }
    auto rekey = env.host(1).agent({"cluster", "rekey"});
    BOOST_TEST_MESSAGE("--- rekey:\n" << rekey.output);
    BOOST_TEST_REQUIRE(rekey.exitCode == 0, rekey.output);
    BOOST_TEST(rekey.output.find("fleet_key_old can be removed from every host") !=
                   std::string::npos,
               rekey.output);
    auto again = env.host(2).agent({"cluster", "rekey"}); // nothing left under the old key
    BOOST_TEST(again.exitCode == 0, again.output);
    BOOST_TEST(again.output.find("cluster rekey: 0 sealed value(s) in 0 record(s)") !=
                   std::string::npos,
               again.output);

    for (std::size_t i = 0; i < env.size(); ++i) { // the old key is gone everywhere
        env.host(i).configure();
        std::filesystem::remove(env.host(i).etc() + "/fleet.old.key");
    }
    // The first version (sealed under the old key before the rekey) opens with the new key.
    auto back = env.host(2).agent({"cluster", "rollback", "shop"});
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    outputs = env.runUntilConverged();
    BOOST_TEST(env.converged(), outputs);
    for (std::size_t i = 0; i < env.size(); ++i) {
        BOOST_TEST(env.host(i).served() == first, env.host(i).name());
        auto status = env.host(i).agent({"cluster", "status"});
        BOOST_TEST(status.exitCode == 0, status.output); // the key check opens too
    }
    BOOST_TEST(env.orderCalls().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
