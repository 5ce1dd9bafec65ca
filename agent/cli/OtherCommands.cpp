#include "cli/Commands.h"
#include "core/Deployer.h"
#include "core/RunSupport.h"
#include "util/Text.h"

#include <iostream>

namespace certagent::cli {

namespace {

core::HookEvent liveEvent(Session& s, const config::CertConfig& cert) {
    core::HookEvent event;
    event.name = cert.name;
    event.domains = cert.domains;
    event.liveDir = s.store().liveDir(cert.name);
    event.cert = event.liveDir + "/cert.pem";
    event.key = event.liveDir + "/privkey.pem";
    event.chain = event.liveDir + "/chain.pem";
    event.fullchain = event.liveDir + "/fullchain.pem";
    auto meta = s.store().liveMeta(cert.name);
    if (!meta)
        throw RefusedError(cert.name + ": nothing is live yet");
    event.orderId = meta->orderId ? std::to_string(meta->orderId) : "";
    event.serial = meta->serial;
    event.notAfter = meta->notAfter;
    return event;
}

} // namespace

int rollbackCommand(const Globals& g, const std::vector<std::string>& argv,
                    const core::InstallerFactory& installers) {
    Args args = parseArgs("rollback", argv, {}, {});
    if (args.positional.size() != 1)
        throw ConfigError("rollback: expected one certificate NAME");
    Session s(g, installers, false, true);
    const auto& cert = s.config().cert(args.positional[0]);
    s.lock();
    auto current = s.store().liveVersion(cert.name);
    auto currentMeta = s.store().liveMeta(cert.name);
    if (!current || !currentMeta)
        throw RefusedError(cert.name + ": nothing is live, nothing to roll back");
    std::unique_ptr<core::Installer> installer;
    if (cert.installer != "none") {
        const auto& server = cert.installer == "apache" ? s.config().apache : s.config().nginx;
        installer = installers(cert.installer, core::InstallerContext{s.config().storeDir, server,
                                                                      s.context().runner});
        installer->discover({cert.name, cert.domains,
                             s.store().liveDir(cert.name) + "/fullchain.pem",
                             s.store().liveDir(cert.name) + "/privkey.pem"});
    }
    int previous = s.store().rollback(cert.name);
    auto meta = s.store().versionMeta(cert.name, previous);
    core::logger().information(cert.name + ": live -> version " + std::to_string(previous) +
                               " (was " + std::to_string(*current) + ")");
    int rc = kExitOk;
    if (installer) {
        core::DeployStep step;
        step.newSha256 = meta ? meta->sha256 : "";
        step.previousSha256 = currentMeta->sha256;
        step.switchBack = [&] { s.store().switchLive(cert.name, *current); };
        step.log = [&](const std::string& line) {
            core::logger().information(cert.name + ": " + line);
        };
        auto outcome = core::deploy(*installer, step);
        rc = outcome.exitCode;
        if (rc != kExitOk)
            core::logger().error(cert.name + ": rollback deploy failed: " + outcome.error);
    }
    auto state = s.store().loadState(cert.name).value_or(store::CertState{});
    if (rc == kExitOk) {
        state.deployedSha256 = meta ? meta->sha256 : "";
        state.lastError.clear();
        s.store().saveState(cert.name, state);
        auto hooks = s.hooks().runDeploy(liveEvent(s, cert), cert.deployHook);
        if (!hooks.ok()) {
            core::logger().error(cert.name + ": deploy hooks: " + hooks.firstError);
            rc = core::kExitHookFailed;
        }
    }
    return rc;
}

int hooksCommand(const Globals& g, const std::vector<std::string>& argv,
                 const core::InstallerFactory& installers) {
    Args args = parseArgs("hooks", argv, {}, {});
    if (args.positional.size() != 2 || args.positional[0] != "test")
        throw ConfigError("hooks: usage: certagent hooks test NAME");
    Session s(g, installers, false, true);
    const auto& cert = s.config().cert(args.positional[1]);
    auto outcome = s.hooks().runDeploy(liveEvent(s, cert), cert.deployHook);
    core::logger().information(cert.name + ": " + std::to_string(outcome.ran) + " hook(s) ran, " +
                               std::to_string(outcome.failures) + " failed");
    if (!outcome.ok()) {
        core::logger().error(cert.name + ": " + outcome.firstError);
        return core::kExitHookFailed;
    }
    return kExitOk;
}

int apiCommand(const Globals& g, const std::vector<std::string>& argv,
               const core::InstallerFactory& installers) {
    if (argv.empty())
        throw ConfigError("api: usage: certagent api METHOD [key=value]...");
    api::Params params;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        auto eq = argv[i].find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError("api: expected key=value, not \"" + escapeForLog(argv[i], 80) + "\"");
        params.emplace_back(argv[i].substr(0, eq), argv[i].substr(eq + 1));
    }
    Session s(g, installers, true, false);
    std::string reply = s.api().client().callRaw(argv[0], params);
    std::cout << redact(reply) << "\n";
    return kExitOk;
}

} // namespace certagent::cli
