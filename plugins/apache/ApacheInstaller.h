#pragma once

#include "core/Installer.h"

#include <memory>

namespace certagent::plugins {

/// The apache installer (design.md §7).
std::unique_ptr<core::Installer> makeApacheInstaller(const core::InstallerContext& context);

} // namespace certagent::plugins
