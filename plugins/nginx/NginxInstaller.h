#pragma once

#include "core/Installer.h"

#include <memory>

namespace certagent::plugins {

/// The nginx installer (design.md §7).
std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext& context);

} // namespace certagent::plugins
