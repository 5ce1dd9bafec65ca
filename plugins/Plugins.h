#pragma once

#include "core/Installer.h"

#include <memory>
#include <string>

namespace certagent::plugins {

/// The explicit installer table: "nginx", "apache", or "none" (nullptr). Throws ConfigError for
/// any other kind.
std::unique_ptr<core::Installer> makeInstaller(const std::string& kind,
                                               const core::InstallerContext& context);

} // namespace certagent::plugins
