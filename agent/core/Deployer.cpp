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

/// prepare() changes nothing on the server, so its failure needs no server rollback: only the live
/// link goes back. The plugin's own exit code stands (5 unless it says otherwise).
DeployOutcome refusedBeforeChange(Installer& installer, const DeployStep& step,
                                  const std::exception& e) {
    DeployOutcome outcome;
    outcome.error = e.what();
    auto* error = dynamic_cast<const Error*>(&e);
    outcome.exitCode = error ? error->exitCode() : kExitRolledBack;
    try {
        if (step.switchBack)
            step.switchBack();
        say(step, installer.kind() + ": " + outcome.error + "; server configuration untouched");
    } catch (const std::exception& back) {
        outcome.exitCode = kExitRollbackFailed;
        outcome.error += "; switching the live link back failed: " + std::string(back.what());
    }
    return outcome;
}

} // namespace

DeployOutcome deploy(Installer& installer, const DeployStep& step) {
    try {
        installer.prepare();
    } catch (const std::exception& e) {
        return refusedBeforeChange(installer, step, e);
    }
    DeployOutcome outcome;
    try {
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
