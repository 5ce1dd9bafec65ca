#pragma once

#include "core/Installer.h"
#include "plugins/nginx/DeployPlan.h"

#include <memory>

namespace certagent::plugins {

/// The nginx installer (ARCHITECTURE.md, "The installer contract").
std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext& context);
/// The same with `seams` replacing the package conffile list and the reading of certificate key
/// types (tests).
std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext& context,
                                                    nginx::PlanSeams seams);

} // namespace certagent::plugins
