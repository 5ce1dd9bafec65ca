#include "plugins/nginx/NginxInstaller.h"

#include "util/Error.h"

namespace certagent::plugins {

// Placeholder until the nginx plugin lands; replaced by its issue.
std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext&) {
    throw ConfigError("installer = nginx is not available in this build");
}

} // namespace certagent::plugins
