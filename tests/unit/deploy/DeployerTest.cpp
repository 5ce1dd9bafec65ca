#include "core/Deployer.h"

#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace certagent;
using namespace certagent::core;

namespace {

/// Records every step; throws at the steps named in `failAt` ("probe:new" fails only the probe of
/// the new leaf).
class FakeInstaller : public Installer {
  public:
    std::vector<std::string> calls;
    std::set<std::string> failAt;

    std::string kind() const override { return "fake"; }
    void discover(const DeployTarget&) override { step("discover"); }
    void prepare() override { step("prepare"); }
    bool apply() override {
        step("apply");
        return true;
    }
    void test() override { step("test"); }
    void reload() override { step("reload"); }
    void probe(const std::string& sha) override { step("probe:" + sha); }
    void restoreConfig() override { step("restoreConfig"); }
    void recover() override { step("recover"); }
    std::optional<std::string> webrootFor(const std::string&) override { return {}; }
    std::vector<ServedName> placements() const override { return {}; }
    std::vector<ServedName> inventory() override { return {}; }

  private:
    void step(const std::string& name) {
        calls.push_back(name);
        if (failAt.count(name))
            throw InstallError("fake", name, "injected failure");
    }
};

DeployStep makeStep(std::vector<std::string>& calls) {
    DeployStep step;
    step.newSha256 = "new";
    step.previousSha256 = "old";
    step.switchBack = [&calls] { calls.push_back("switchBack"); };
    return step;
}

using Calls = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(Deployer)

BOOST_AUTO_TEST_CASE(success_runs_each_step_once_in_order) {
    FakeInstaller fake;
    DeployOutcome out = deploy(fake, makeStep(fake.calls));
    BOOST_TEST(out.exitCode == 0);
    BOOST_TEST(out.changed);
    BOOST_TEST(fake.calls == (Calls{"prepare", "apply", "test", "reload", "probe:new"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failed_reload_rolls_back_and_proves_the_old_leaf) {
    FakeInstaller fake;
    fake.failAt = {"reload"}; // the rollback's recover() stands in for the second reload
    DeployOutcome out = deploy(fake, makeStep(fake.calls));
    BOOST_TEST(out.exitCode == kExitRolledBack);
    BOOST_TEST(out.error.find("fake reload: injected failure") != std::string::npos);
    Calls expected{"prepare",    "apply", "test",    "reload",   "restoreConfig",
                   "switchBack", "test",  "recover", "probe:old"};
    BOOST_TEST(fake.calls == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(probe_of_new_leaf_failing_rolls_back) {
    FakeInstaller fake;
    fake.failAt = {"probe:new"};
    DeployOutcome out = deploy(fake, makeStep(fake.calls));
    BOOST_TEST(out.exitCode == kExitRolledBack);
    BOOST_TEST(fake.calls.back() == "probe:old");
}

BOOST_AUTO_TEST_CASE(rollback_that_cannot_prove_the_old_leaf_is_6) {
    FakeInstaller fake;
    fake.failAt = {"probe:new", "probe:old"};
    DeployOutcome out = deploy(fake, makeStep(fake.calls));
    BOOST_TEST(out.exitCode == kExitRollbackFailed);
    BOOST_TEST(out.error.find("rollback failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failing_prepare_touches_nothing_on_the_server) {
    FakeInstaller fake;
    fake.failAt = {"prepare"};
    DeployOutcome out = deploy(fake, makeStep(fake.calls));
    BOOST_TEST(out.exitCode == kExitRolledBack);
    BOOST_TEST(fake.calls == (Calls{"prepare", "switchBack"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(first_issuance_rollback_has_no_old_leaf_to_probe) {
    FakeInstaller fake;
    fake.failAt = {"probe:new"};
    DeployStep step = makeStep(fake.calls);
    step.previousSha256.clear();
    DeployOutcome out = deploy(fake, step);
    BOOST_TEST(out.exitCode == kExitRolledBack);
    BOOST_TEST(fake.calls.back() == "recover");
}

BOOST_AUTO_TEST_SUITE_END()
