#include "cli/Commands.h"
#include "core/Maintenance.h"
#include "util/Text.h"

#include <iostream>

namespace certagent::cli {

int rollbackCommand(const Globals& g, const std::vector<std::string>& argv,
                    const core::InstallerFactory& installers) {
    Args args = parseArgs("rollback", argv, {}, {});
    if (args.positional.size() != 1)
        throw ConfigError("rollback: expected one certificate NAME");
    Session s(g, installers, config::NeedCredentials::No, true);
    const auto& cert = s.config().cert(args.positional[0]);
    s.lock();
    return core::rollbackCertificate(s.context(), cert);
}

int hooksCommand(const Globals& g, const std::vector<std::string>& argv,
                 const core::InstallerFactory& installers) {
    Args args = parseArgs("hooks", argv, {}, {});
    if (args.positional.size() != 2 || args.positional[0] != "test")
        throw ConfigError("hooks: usage: certagent hooks test NAME");
    Session s(g, installers, config::NeedCredentials::No, true);
    return core::testHooks(s.context(), s.config().cert(args.positional[1]));
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
    Session s(g, installers, config::NeedCredentials::Yes, false);
    std::string reply = s.apiClient().callRaw(argv[0], params);
    std::cout << escapeForLog(redact(reply), reply.size(), Escape::TerminalOnly) << "\n";
    return kExitOk;
}

} // namespace certagent::cli
