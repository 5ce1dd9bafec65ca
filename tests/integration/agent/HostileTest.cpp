#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <sstream>
#include <thread>

using namespace certagent::test;

namespace {

/// An installed version 1, then `issue shop` with `fault` armed on the sandbox: the run must
/// exit `expected`, say `phrase` on one line, and leave the live set and web root unchanged.
void refusedReissue(const std::string& fault, int count, int expected, const std::string& phrase,
                    const std::string& value = "") {
    AgentEnv env;
    env.configure(env.defaultCert());
    auto first = env.agent({"run"});
    BOOST_TEST_REQUIRE(first.exitCode == 0, first.output);
    std::string cert = env.liveCertText();
    std::string key = readFile(env.store() + "/live/shop/privkey.pem");

    env.sandbox().setFault(fault, "", count, value);
    auto r = env.agent({"issue", "shop"}, 600);
    BOOST_TEST_MESSAGE(fault << " -> exit " << r.exitCode << ":\n" << r.output);
    BOOST_TEST(r.exitCode == expected, fault << ": " << r.output);
    // Exactly one line gives the reason, and it is the run's last word.
    std::istringstream lines(r.output);
    std::string line, last;
    int matching = 0;
    while (std::getline(lines, line)) {
        if (line.find(phrase) != std::string::npos)
            ++matching;
        if (!line.empty())
            last = line;
    }
    BOOST_TEST(matching == 1, fault << ": not one line with \"" << phrase << "\": " << r.output);
    BOOST_TEST(last.find(phrase) != std::string::npos, fault << ": last line: " << last);
    BOOST_TEST(!exists(env.store() + "/archive/shop/0002"), fault);
    BOOST_TEST(r.output.find('\x1b') == std::string::npos);
    BOOST_TEST(env.liveLink() == "../archive/shop/0001", fault);
    BOOST_TEST(env.liveCertText() == cert, fault);
    BOOST_TEST(readFile(env.store() + "/live/shop/privkey.pem") == key, fault);
    BOOST_TEST(env.dcvFiles().empty(), fault);
    BOOST_TEST(!env.state()["lastError"].empty(), fault);
    BOOST_TEST(env.opensslVerify().exitCode == 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(AgentHostile)

BOOST_AUTO_TEST_CASE(wrong_intermediate_is_refused) {
    refusedReissue("wrong_intermediate", -1, 4, "no valid path to a trusted root");
}

BOOST_AUTO_TEST_CASE(certificate_for_another_key_is_refused) {
    refusedReissue("other_key", -1, 4, "does not match the local private key");
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_refused) {
    refusedReissue("expired_cert", -1, 4, "certificate has expired");
}

BOOST_AUTO_TEST_CASE(hostile_dcv_file_name_is_refused) {
    refusedReissue("hostile_dcv_filename", -1, 4, "dcv filename");
}

BOOST_AUTO_TEST_CASE(hostile_dcv_content_is_refused) {
    refusedReissue("hostile_dcv_content", -1, 4, "dcv content");
}

BOOST_AUTO_TEST_CASE(cancelled_order_is_refused) {
    refusedReissue("cancelled", -1, 4, "is cancelled; the deployed certificate stays");
}

BOOST_AUTO_TEST_CASE(error_envelope_is_refused) {
    refusedReissue("error_envelope", -1, 4, "Injected error envelope");
}

BOOST_AUTO_TEST_CASE(terminal_escapes_from_the_api_are_escaped) {
    // The server's message reaches the output escaped: no raw ESC (asserted in refusedReissue).
    refusedReissue("error_envelope", -1, 4, "Bad \\x1B[2J\\x1B]0;owned\\x07 order",
                   "Bad \x1b[2J\x1b]0;owned\x07 order");
}

BOOST_AUTO_TEST_CASE(reply_about_another_order_is_refused) {
    refusedReissue("wrong_order_id", -1, 4, "reply is about order");
}

BOOST_AUTO_TEST_CASE(not_yet_valid_certificate_is_deferred) {
    AgentEnv env;
    env.configure(env.defaultCert());
    BOOST_TEST_REQUIRE(env.agent({"run"}).exitCode == 0);
    std::string cert = env.liveCertText();
    env.sandbox().setFault("not_yet_valid", "", -1);
    auto r = env.agent({"issue", "shop"});
    BOOST_TEST(r.exitCode == 3, r.output);
    BOOST_TEST(env.state()["phase"] == "validating"); // tried again on the next run
    BOOST_TEST(env.liveCertText() == cert);
}

BOOST_AUTO_TEST_CASE(truncated_json_is_temporary) {
    refusedReissue("truncated_json", -1, 3, "unreadable reply");
}

BOOST_AUTO_TEST_CASE(order_cancelled_while_validating_removes_the_dcv_file) {
    SandboxOptions o; // no --dcv-connect: the order stays processing
    AgentEnv env(o);
    env.configure(env.defaultCert());
    auto r1 = env.agent({"run"});
    BOOST_TEST_REQUIRE(r1.exitCode == 0, r1.output);
    BOOST_TEST_REQUIRE(env.dcvFiles().size() == 1u);
    env.sandbox().advance(env.state()["orderId"], "cancelled");
    auto r2 = env.agent({"run"});
    BOOST_TEST(r2.exitCode == 4, r2.output);
    BOOST_TEST(r2.output.find("is cancelled") != std::string::npos, r2.output);
    BOOST_TEST(env.dcvFiles().empty());
    BOOST_TEST(env.state()["phase"] == "failed");
    BOOST_TEST(env.liveLink().empty());
}

BOOST_AUTO_TEST_CASE(failed_order_is_not_reordered_by_cron) {
    AgentEnv env;
    env.configure(env.defaultCert());
    env.sandbox().setFault("other_key", "", -1);
    auto r1 = env.agent({"run"});
    BOOST_TEST(r1.exitCode == 4, r1.output);
    env.sandbox().clearCalls();
    auto r2 = env.agent({"run"});
    BOOST_TEST(r2.exitCode == 4, r2.output);
    BOOST_TEST(env.orderCalls().empty(), "a refused certificate led to a new order");
    BOOST_TEST(env.state()["phase"] == "failed");
}

BOOST_AUTO_TEST_CASE(two_runs_at_once_do_the_work_once) {
    AgentEnv env;
    env.configure(env.defaultCert());
    CommandOutput a, b;
    std::thread ta([&] { a = env.agent({"run"}); });
    std::thread tb([&] { b = env.agent({"run"}); });
    ta.join();
    tb.join();
    for (const auto* r : {&a, &b})
        BOOST_TEST((r->exitCode == 0 || r->exitCode == 3), r->output);
    BOOST_TEST(env.orderCalls().size() == 1u);
    BOOST_TEST(env.state()["phase"] == "installed");
    BOOST_TEST(env.liveLink() == "../archive/shop/0001");
}

BOOST_AUTO_TEST_CASE(busy_lock_exits_3_naming_the_holder) {
    AgentEnv env;
    env.configure(env.defaultCert(), "");
    // A config with a short lock wait, and a holder that keeps the lock: `run --wait` on an
    // order that never issues.
    env.sandbox().setFault("slow", "", -1, "2");
    std::string conf = readFile(env.etc() + "/certagent.conf");
    conf.replace(conf.find("lock_wait = 120s"), 16, "lock_wait = 1s  ");
    writeFile(env.etc() + "/certagent.conf", conf, 0644);
    CommandOutput holder;
    std::thread t([&] { holder = env.agent({"run"}); });
    // Wait until the holder has the lock (the lock file names a pid).
    for (int i = 0; i < 200 && !exists(env.store() + "/lock"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto second = env.agent({"run"});
    t.join();
    BOOST_TEST(holder.exitCode == 0, holder.output);
    if (second.exitCode == 3)
        BOOST_TEST(second.output.find("another certagent (pid") != std::string::npos,
                   second.output);
    else
        BOOST_TEST(second.exitCode == 0, second.output);
}

BOOST_AUTO_TEST_SUITE_END()
