// Three hosts behind a round-robin balancer share one certificate through etcd (design-fleet §4):
// one order at the CA, every host serves the same leaf, no key in clear in etcd.
#include "FleetChecks.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <thread>

using namespace certagent;
using namespace certagent::test;

BOOST_AUTO_TEST_SUITE(Fleet)

BOOST_AUTO_TEST_CASE(three_hosts_one_order_every_host_serves_the_same_leaf) {
    FleetEnv env;
    joinAll(env);
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    BOOST_TEST(a.output.find("waiting for") != std::string::npos, a.output);
    BOOST_TEST(env.host(0).dcvFiles().size() == 1u);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_MESSAGE(a.output + outputs);
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    for (std::size_t i = 0; i < env.size(); ++i) {
        BOOST_TEST(env.host(i).liveCert() == env.host(0).liveCert());
        BOOST_TEST(env.host(i).dcvFiles().empty(), env.host(i).name());
    }
    auto status = statusJson(env.host(1));
    auto cert = status->getArray("certificates")->getObject(0);
    BOOST_TEST(cert->getValue<std::string>("name") == "shop");
    BOOST_TEST(cert->getValue<int>("version") == 1);
    BOOST_TEST(cert->getValue<std::string>("phase") == "installed");
    BOOST_TEST(cert->getValue<bool>("converged"), status->getArray("certificates")->size());
    BOOST_TEST(cert->getArray("hosts")->size() == 3u);
    checkNoSecretsInEtcd(env);

    // A converged host's idle run and sync: one batched read each; the heartbeat says nothing
    // new and is not yet a quarter of member_timeout old, so it is not written again.
    for (const char* command : {"run", "sync", "run"}) {
        const long before = env.etcdRequests();
        auto idle = env.host(2).agent({command});
        BOOST_TEST(idle.exitCode == 0, idle.output);
        const long calls = env.etcdRequests() - before;
        BOOST_TEST_MESSAGE("etcd requests of an idle " << command << " on one host: " << calls);
        BOOST_TEST(calls == 1, command << ": " << calls << "\n" << idle.output);
    }
    BOOST_TEST(env.orderCalls().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_ordering_host_killed_after_the_order_was_sent_another_finishes_it) {
    FleetEnv env;
    joinAll(env);
    auto killed = env.host(0).agent({"run"}, {"CERTAGENT_FAULT=order.after-send:kill"});
    BOOST_TEST_REQUIRE(killed.exitCode == 128 + SIGKILL, killed.output);
    BOOST_TEST_REQUIRE(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    std::this_thread::sleep_for(std::chrono::seconds(6)); // the dead holder's 5 s lease ends

    // web-2 takes the free lock, finds the sent order by its CSR and goes on with it; web-3
    // follows. The balancer still sends fetches to web-1, so its file is awaited (it is a member
    // seen within member_timeout) until web-1 is back and runs.
    std::string outputs;
    for (std::size_t i : {1u, 2u})
        outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST(outputs.find("--- web-2:\nshop: took over the fleet's order with its pending key\n"
                            "shop: the order request of an interrupted run reached the CA: "
                            "going on with order ") != std::string::npos,
               outputs);
    BOOST_TEST(outputs.find("waiting for web-1 to place the validation files") != std::string::npos,
               outputs);
    auto back = env.host(0).agent({"sync"}); // web-1 is back: it places and acks, never orders
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    outputs += "--- web-1 sync:\n" + back.output;
    for (int round = 0; round < 6 && (env.host(1).liveCert().empty() ||
                                      env.host(1).liveCert() != env.host(2).liveCert());
         ++round)
        for (std::size_t i : {1u, 2u})
            outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST_REQUIRE(!env.host(1).liveCert().empty(), outputs);
    outputs += "--- web-1:\n" + env.host(0).agent({"run"}).output; // pulls what web-2 published
    BOOST_TEST_MESSAGE(outputs);
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    checkNoSecretsInEtcd(env);
}

BOOST_AUTO_TEST_CASE(
    a_lost_member_changes_nothing_quorum_lost_every_host_exits_3_and_keeps_serving) {
    FleetEnv env;
    joinAll(env);
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    const std::size_t killed = env.etcd().leader(); // the cluster goes on with two members
    env.etcd().kill(killed);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    env.etcd().restart(killed);
    const std::string served = env.host(0).served();

    std::size_t leader = env.etcd().leader();
    std::vector<std::size_t> stopped; // two of three members frozen: no quorum anywhere
    for (std::size_t m = 0; m < env.etcd().size() && stopped.size() < 2; ++m)
        if (m != leader)
            stopped.push_back(m);
    stopped[1] = leader;
    for (std::size_t m : stopped)
        env.etcd().stop(m);
    std::vector<int> pids; // all at once: each waits out the request timeouts
    for (std::size_t i = 0; i < env.size(); ++i)
        pids.push_back(env.host(i).spawn({"run", "--force"}, {}));
    for (std::size_t i = 0; i < env.size(); ++i) {
        int status = 0;
        BOOST_TEST_REQUIRE(::waitpid(pids[i], &status, 0) == pids[i]);
        const std::string out = env.host(i).spawnedOutput();
        BOOST_TEST(WIFEXITED(status));
        BOOST_TEST(WEXITSTATUS(status) == 3, env.host(i).name() << ": " << out);
        BOOST_TEST(out.find("nothing ordered, the live certificate stays") != std::string::npos,
                   out);
        BOOST_TEST(env.host(i).served() == served, env.host(i).name());
    }
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    for (std::size_t m : stopped)
        env.etcd().resume(m);

    auto after = env.host(1).agent({"run"});
    BOOST_TEST(after.exitCode == 0, after.output);
    BOOST_TEST(env.converged());
}

BOOST_AUTO_TEST_CASE(a_host_with_another_fleet_key_refuses_with_exit_4_and_writes_nothing) {
    FleetEnv env;
    for (std::size_t i : {0u, 1u}) {
        auto out = env.host(i).agent({"cluster", "status"});
        BOOST_TEST_REQUIRE(out.exitCode == 0, out.output);
    }
    env.host(2).useOwnFleetKey();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"run"}, {"sync"}, {"cluster", "status"}}) {
        auto out = env.host(2).agent(args);
        BOOST_TEST(out.exitCode == 4, args.front() << ": " << out.output);
        BOOST_TEST(out.output.find("[cluster] fleet_key (id ") != std::string::npos, out.output);
        BOOST_TEST(out.output.find(") is not the fleet's: ") != std::string::npos, out.output);
    }
    BOOST_TEST(env.etcdDump().find(env.host(2).name()) == std::string::npos);
    BOOST_TEST(env.host(2).liveCert().empty());

    auto a = env.host(0).agent({"run"}); // the others are unaffected: host 1 (web-1) orders
    BOOST_TEST(a.exitCode == 0, a.output);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(a_holder_frozen_past_its_lease_is_fenced_out_and_makes_no_ca_call) {
    FleetEnv env;
    joinAll(env);
    int pid = env.host(0).spawn({"run"}, {"CERTAGENT_FAULT=cluster.after-intent:stop"});
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(pid, &status, WUNTRACED) == pid);
    BOOST_TEST_REQUIRE(WIFSTOPPED(status), env.host(0).spawnedOutput());
    std::this_thread::sleep_for(std::chrono::seconds(6)); // its 5 s lease ends

    // web-2 takes over the intent: nothing reached the CA, so it orders with the same key.
    auto b = env.host(1).agent({"run"});
    BOOST_TEST_REQUIRE(b.exitCode == 0, b.output);
    BOOST_TEST(b.output.find("never reached the CA; sending it again with the same key") !=
                   std::string::npos,
               b.output);
    BOOST_TEST_REQUIRE(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});

    ::kill(pid, SIGCONT); // web-1 wakes up right before its order call
    BOOST_TEST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    const std::string woke = env.host(0).spawnedOutput();
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 3, woke);
    BOOST_TEST(woke.find("the lease expired; another host may hold the lock now") !=
                   std::string::npos,
               woke);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"}, woke);

    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(cluster_rollback_moves_every_host_back_one_version) {
    FleetEnv env;
    joinAll(env);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string first = env.host(0).served();
    auto forced = env.host(1).agent({"run", "--force"}); // a second version through the fleet
    BOOST_TEST_REQUIRE(forced.exitCode == 0, forced.output);
    outputs = env.runUntilReplaced(first);
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    const std::string second = env.host(0).served();
    BOOST_TEST_REQUIRE(second != first);
    BOOST_TEST(env.orderCalls().size() == 2u);

    auto back = env.host(2).agent({"cluster", "rollback", "shop"});
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    for (std::size_t i = 0; i < env.size(); ++i)
        BOOST_TEST(env.host(i).served() == first, env.host(i).name());
    auto cert = statusJson(env.host(0))->getArray("certificates")->getObject(0);
    BOOST_TEST(cert->getValue<int>("version") == 1);
    BOOST_TEST(cert->getValue<bool>("rollback"));
    BOOST_TEST(cert->getValue<bool>("converged"));
    BOOST_TEST(env.orderCalls().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_host_whose_certificate_file_differs_neither_leads_nor_pulls) {
    FleetEnv env;
    joinAll(env);
    auto a = env.host(0).agent({"run"});
    BOOST_TEST_REQUIRE(a.exitCode == 0, a.output);
    env.host(2).certFile("domains = shop.example.test, www.shop.example.test, "
                         "extra.shop.example.test\nproduct_id = 65\nperiod = 12\ndcv = http\n"
                         "webroot = " +
                         env.host(2).webroot() + "\ninstaller = nginx\n");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"run"}, {"run", "--force"}, {"sync"}}) {
        auto out = env.host(2).agent(args);
        BOOST_TEST(out.exitCode == 2, args.back() << ": " << out.output);
        BOOST_TEST(out.output.find("shop: this host's domains differ from the order in progress "
                                   "(written by web-1); it neither leads nor pulls until the "
                                   "certificate files match") != std::string::npos,
                   out.output);
    }
    BOOST_TEST(env.host(2).dcvFiles().empty());
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(
    a_host_down_during_validation_is_awaited_until_member_timeout_then_catches_up) {
    FleetOptions options;
    options.clusterExtra = "lease = 5s\ntimeout = 3s\ndcv_wait = 10m\nmember_timeout = 20s\n";
    FleetEnv env(options);
    joinAll(env);
    const auto joined = std::chrono::steady_clock::now();
    env.host(2).nginx().stop(); // web-3 is down: the balancer sends its fetches elsewhere
    std::string outputs;
    for (std::size_t i : {0u, 1u})
        outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST(outputs.find("waiting for web-3 to place the validation files") != std::string::npos,
               outputs);

    std::this_thread::sleep_until(joined + std::chrono::seconds(21)); // web-3 no longer counts
    for (int round = 0; round < 6 && (env.host(1).liveCert().empty() ||
                                      env.host(1).liveCert() != env.host(0).liveCert());
         ++round)
        for (std::size_t i : {0u, 1u})
            outputs += "--- " + env.host(i).name() + ":\n" + env.host(i).agent({"run"}).output;
    BOOST_TEST_MESSAGE(outputs);
    BOOST_TEST_REQUIRE(!env.host(0).liveCert().empty(), outputs);
    BOOST_TEST(env.host(0).served() == env.host(1).served());

    env.host(2).nginx().start({env.host(2).httpPort(), env.host(2).tlsPort()});
    const std::size_t calls = env.sandbox().calls().size();
    auto back = env.host(2).agent({"run"}); // back: pulls and deploys without asking the CA
    BOOST_TEST_REQUIRE(back.exitCode == 0, back.output);
    BOOST_TEST(back.output.find("pulling published version 1") != std::string::npos, back.output);
    BOOST_TEST(env.sandbox().calls().size() == calls, back.output);
    BOOST_TEST(env.converged());
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(killed_after_taking_the_lock_another_host_orders_once) {
    FleetEnv env;
    killedAt(env, "cluster.after-lock");
}

BOOST_AUTO_TEST_CASE(killed_after_the_intent_another_host_orders_with_the_same_key) {
    FleetEnv env;
    std::string out = killedAt(env, "cluster.after-intent");
    BOOST_TEST(out.find("never reached the CA; sending it again with the same key") !=
                   std::string::npos,
               out);
}

BOOST_AUTO_TEST_CASE(killed_after_recording_the_order_another_host_goes_on_with_it) {
    FleetEnv env;
    killedAt(env, "cluster.after-order-recorded");
}

BOOST_AUTO_TEST_CASE(killed_after_publishing_the_others_pull_and_it_deploys_when_back) {
    FleetEnv env;
    killedAt(env, "cluster.after-publish");
}

BOOST_AUTO_TEST_CASE(killed_mid_deploy_its_next_run_repairs_its_server) {
    FleetEnv env;
    killedAt(env, "cluster.mid-deploy");
}

BOOST_AUTO_TEST_CASE(run_wait_on_a_follower_returns_when_this_host_serves_the_published_version) {
    FleetEnv env;
    joinAll(env);
    int holder = env.host(0).spawn({"run", "--wait", "3m"}, {}); // web-1 orders and keeps the lock
    std::string outputs;
    for (int round = 0; round < 60 && env.host(2).dcvFiles().empty(); ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        outputs += env.host(2).agent({"sync"}).output; // web-3 places and acks once it can
    }
    BOOST_TEST_REQUIRE(!env.host(2).dcvFiles().empty(), outputs + env.host(0).spawnedOutput());
    auto follower = env.host(1).agent({"run", "--wait", "3m"});
    BOOST_TEST(follower.exitCode == 0, follower.output);
    BOOST_TEST(follower.output.find("following: web-1 pid ") != std::string::npos, follower.output);
    BOOST_TEST(follower.output.find("shop: nginx: new certificate is served") != std::string::npos,
               follower.output);
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(holder, &status, 0) == holder);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), env.host(0).spawnedOutput());
    auto last = env.host(2).agent({"sync"});
    BOOST_TEST(last.exitCode == 0, last.output);
    BOOST_TEST(env.converged());
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(three_runs_at_the_same_instant_one_holder_one_order) {
    FleetEnv env;
    joinAll(env);
    std::vector<int> pids;
    for (std::size_t i = 0; i < env.size(); ++i)
        pids.push_back(env.host(i).spawn({"run"}, {}));
    int ordered = 0;
    int following = 0;
    std::string outputs;
    for (std::size_t i = 0; i < env.size(); ++i) {
        int status = 0;
        BOOST_TEST_REQUIRE(::waitpid(pids[i], &status, 0) == pids[i]);
        const std::string out = env.host(i).spawnedOutput();
        outputs += "--- " + env.host(i).name() + ":\n" + out;
        BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), out);
        ordered += out.find("new order placed") != std::string::npos;
        following += out.find("following: web-") != std::string::npos;
    }
    BOOST_TEST(ordered == 1, outputs);
    BOOST_TEST(following >= 1, outputs); // a later starter may find the lock free again
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
    outputs += env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    BOOST_TEST(env.orderCalls() == std::vector<std::string>{"addSSLOrder"});
}

BOOST_AUTO_TEST_CASE(renewal_one_order_per_round_every_host_moves_to_the_new_leaf) {
    FleetOptions options;
    options.validityDays = 1;
    options.mainExtra = "[renewal]\nbefore = 2d\n"; // every round is due
    FleetEnv env(options);
    joinAll(env);
    std::string outputs = env.runUntilConverged();
    BOOST_TEST_REQUIRE(env.converged(), outputs);
    std::string served = env.host(0).served();
    for (std::size_t renewal = 1; renewal <= 2; ++renewal) {
        outputs.clear();
        auto renewed = [&] { return env.host(0).served() != served && env.converged(); };
        for (int run = 0; run < 18 && !renewed(); ++run) { // stop at once: the next run is due
            FleetHost& host = env.host(static_cast<std::size_t>(run) % env.size());
            outputs += "--- " + host.name() + ":\n" + host.agent({"run"}).output;
        }
        BOOST_TEST_REQUIRE(env.host(0).served() != served, outputs);
        BOOST_TEST_REQUIRE(env.converged(), outputs);
        BOOST_TEST(env.orderCalls().size() == renewal + 1, outputs);
        served = env.host(0).served();
    }
}

BOOST_AUTO_TEST_SUITE_END()
