#include "plugins/Plugins.h"

#include "plugins/apache/ApacheInstaller.h"
#include "plugins/nginx/NginxInstaller.h"
#include "util/Error.h"

namespace certagent::plugins {

namespace {

struct Entry {
    const char* kind;
    std::unique_ptr<core::Installer> (*make)(const core::InstallerContext&);
};

const Entry kTable[] = {
    {"nginx", &makeNginxInstaller},
    {"apache", &makeApacheInstaller},
};

} // namespace

std::unique_ptr<core::Installer> makeInstaller(const std::string& kind,
                                               const core::InstallerContext& context) {
    if (kind == "none")
        return nullptr;
    for (const Entry& entry : kTable)
        if (kind == entry.kind)
            return entry.make(context);
    throw ConfigError("unknown installer \"" + kind + "\" (want nginx, apache or none)");
}

} // namespace certagent::plugins
