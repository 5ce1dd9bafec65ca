#pragma once

#include "core/Installer.h"

#include <memory>

namespace certagent::plugins {

/// The apache installer (ARCHITECTURE.md, "The installer contract").
std::unique_ptr<core::Installer> makeApacheInstaller(const core::InstallerContext& context);

} // namespace certagent::plugins
