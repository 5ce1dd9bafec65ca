#pragma once

#include "core/Installer.h"

#include <functional>
#include <string>

namespace certagent::core {

/// What core::deploy() needs besides the installer.
struct DeployStep {
    std::string newSha256;      ///< leaf that must be served after the deploy
    std::string previousSha256; ///< leaf served before; empty on first issuance
    /// Switches <store>/live/NAME back to the previous version (no-op on first issuance).
    std::function<void()> switchBack;
    /// One line per step, for the log.
    std::function<void(const std::string&)> log;
};

/// The result of a deploy.
struct DeployOutcome {
    int exitCode = 0;     ///< 0 deployed, 5 rolled back, 6 rollback failed
    bool changed = false; ///< apply() edited the server configuration
    std::string error;    ///< the failure that caused a rollback, if any
};

/// The caller has already called installer.discover(). Runs prepare → apply → test → reload →
/// probe(new); on any later failure restoreConfig → switchBack → test → recover →
/// probe(previous). Never throws for step failures; returns 5 when the rollback proved the
/// previous certificate is served again and 6 when it could not. When prepare() itself fails (the
/// server is not running, say) nothing on the server changed: only switchBack runs, and the exit
/// code is the error's own (5 for an InstallError).
DeployOutcome deploy(Installer& installer, const DeployStep& step);

} // namespace certagent::core
