#pragma once

#include "core/HookRunner.h"
#include "core/RunContext.h"

#include <memory>
#include <string>

namespace certagent::core {

/// The web server plugin of `kind`, made through the run's factory with the server's section of
/// certagent.conf; nullptr for InstallerKind::None. Throws ConfigError.
std::unique_ptr<Installer> makeInstaller(const RunContext& ctx, config::InstallerKind kind);

/// The web server plugin of `cert` (`installer =`), made through the run's factory with the
/// server's section of certagent.conf; nullptr for `installer = none`. Throws ConfigError.
std::unique_ptr<Installer> makeInstallerFor(const RunContext& ctx, const config::CertConfig& cert);

/// What a deploy of `cert` installs: its names, the stable live paths, its key type and the live
/// dirs of every other managed certificate (never to be repointed).
DeployTarget deployTargetFor(const RunContext& ctx, const config::CertConfig& cert);

/// The facts a hook gets about `cert`'s live version (design of the hook environment in
/// README): names, live paths, the order, serial and notAfter from the live meta.json (empty
/// when nothing is live), and `error` for failure hooks.
HookEvent hookEventFor(const RunContext& ctx, const config::CertConfig& cert,
                       const std::string& orderId, const std::string& error = "");

} // namespace certagent::core
