#include "core/Deployer.h"

#include "util/Error.h"

namespace certagent::core {

namespace {

void say(const DeployStep& step, const std::string& line) {
    if (step.log)
        step.log(line);
}

/// Puts the previous files and certificate back; throws on the first step that fails.
void rollBack(Installer& installer, const DeployStep& step) {
    installer.restoreConfig();
    if (step.switchBack)
        step.switchBack();
    installer.test();
    installer.recover();
    if (!step.previousSha256.empty())
        installer.probe(step.previousSha256);
}

} // namespace

DeployOutcome deploy(Installer& installer, const DeployStep& step) {
    DeployOutcome outcome;
    try {
        installer.prepare();
        outcome.changed = installer.apply();
        say(step, installer.kind() + (outcome.changed ? ": configuration pointed at live files"
                                                      : ": configuration already points at live "
                                                        "files"));
        installer.test();
        installer.reload();
        installer.probe(step.newSha256);
        say(step, installer.kind() + ": new certificate is served");
        return outcome;
    } catch (const std::exception& e) {
        outcome.error = e.what();
    }
    say(step, "deploy failed (" + outcome.error + "); rolling back");
    try {
        rollBack(installer, step);
        outcome.exitCode = kExitRolledBack;
        say(step, installer.kind() + ": rolled back; previous certificate is served");
    } catch (const std::exception& e) {
        outcome.exitCode = kExitRollbackFailed;
        outcome.error += "; rollback failed: " + std::string(e.what());
        say(step, installer.kind() + ": ROLLBACK FAILED: " + e.what());
    }
    return outcome;
}

} // namespace certagent::core
