#include "plugins/apache/ApacheInstaller.h"

#include "util/Error.h"

namespace certagent::plugins {

// Placeholder until the apache plugin lands; replaced by its issue.
std::unique_ptr<core::Installer> makeApacheInstaller(const core::InstallerContext&) {
    throw ConfigError("installer = apache is not available in this build");
}

} // namespace certagent::plugins
