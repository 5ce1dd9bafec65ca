#include "core/InstallerFor.h"

namespace certagent::core {

std::unique_ptr<Installer> makeInstaller(const RunContext& ctx, config::InstallerKind kind) {
    if (kind == config::InstallerKind::None)
        return nullptr;
    const config::ServerSettings& server =
        kind == config::InstallerKind::Apache ? ctx.config.apache : ctx.config.nginx;
    return ctx.installers(config::installerName(kind),
                          InstallerContext{ctx.config.storeDir, server, ctx.runner});
}

std::unique_ptr<Installer> makeInstallerFor(const RunContext& ctx, const config::CertConfig& cert) {
    return makeInstaller(ctx, cert.installer);
}

DeployTarget deployTargetFor(const RunContext& ctx, const config::CertConfig& cert) {
    DeployTarget target;
    target.name = cert.name;
    target.domains = cert.domains;
    target.fullchainPath = ctx.store.liveDir(cert.name) + "/fullchain.pem";
    target.keyPath = ctx.store.liveDir(cert.name) + "/privkey.pem";
    target.keyType = cert.keyType;
    for (const auto& other : ctx.config.certs)
        if (other.name != cert.name)
            target.otherLiveDirs.push_back(ctx.store.liveDir(other.name));
    return target;
}

HookEvent hookEventFor(const RunContext& ctx, const config::CertConfig& cert,
                       const std::string& orderId, const std::string& error) {
    HookEvent event;
    event.name = cert.name;
    event.domains = cert.domains;
    event.orderId = orderId;
    event.backend = cert.backend;
    event.liveDir = ctx.store.liveDir(cert.name);
    event.cert = event.liveDir + "/cert.pem";
    event.key = event.liveDir + "/privkey.pem";
    event.chain = event.liveDir + "/chain.pem";
    event.fullchain = event.liveDir + "/fullchain.pem";
    if (auto meta = ctx.store.liveMeta(cert.name)) {
        event.serial = meta->serial;
        event.notAfter = meta->notAfter;
    }
    event.error = error;
    return event;
}

} // namespace certagent::core
