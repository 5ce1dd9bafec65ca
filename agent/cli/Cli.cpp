#include "cli/Cli.h"

#include "cli/Commands.h"
#include "cli/Session.h"
#include "core/RunSupport.h"
#include "util/Error.h"
#include "util/Text.h"

#include <Poco/Exception.h>

#include <cstring>
#include <iostream>

namespace certagent::cli {

namespace {

const char* const kGlobalUsage =
    "usage: certagent [--config FILE] [--log-level LEVEL] [--json] COMMAND [ARGS]\n";

void printHelp() {
    std::cout << kGlobalUsage << "\ncommands:\n";
    for (const auto& c : commands()) {
        std::string head = std::string("  ") + c.name + " " + c.usage;
        std::cout << head << "\n          " << c.help << "\n";
    }
    std::cout << "\noptions:\n"
                 "  --config FILE       default /etc/certagent/certagent.conf\n"
                 "  --log-level LEVEL   error | warning | notice | information | debug\n"
                 "  --json              machine-readable output (status, discover)\n"
                 "  --version, --help\n"
                 "\nDURATION is a whole number with a unit: 90s, 15m, 2h, 30d.\n"
                 "exit codes: 0 ok, 1 internal error, 2 usage/config, 3 temporary (retry), 4 "
                 "refused (needs a human),\n"
                 "  5 deploy failed and rolled back, 6 rollback failed, 7 local I/O failure\n";
}

int dispatch(int argc, char** argv, const core::InstallerFactory& installers) {
    Globals globals;
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--version") {
            std::cout << "certagent " << CERTAGENT_VERSION << "\n";
            return kExitOk;
        }
        if (a == "--help" || a == "-h") {
            printHelp();
            return kExitOk;
        }
        if (a == "--json") {
            globals.json = true;
        } else if ((a == "--config" || a == "--log-level") && i + 1 < argc) {
            (a == "--config" ? globals.configPath : globals.logLevel) = argv[++i];
        } else if (a.rfind("--config=", 0) == 0) {
            globals.configPath = a.substr(9);
        } else if (a.rfind("--log-level=", 0) == 0) {
            globals.logLevel = a.substr(12);
        } else if (a.rfind("-", 0) == 0) {
            throw ConfigError("unknown option " + escapeForLog(a, 80) + "\n" + kGlobalUsage);
        } else {
            break;
        }
    }
    if (i >= argc)
        throw ConfigError(std::string("no command given\n") + kGlobalUsage);
    if (!globals.logLevel.empty()) {
        static const char* const levels[] = {"error", "warning", "notice", "information", "debug"};
        bool ok = false;
        for (const char* l : levels)
            ok = ok || globals.logLevel == l;
        if (!ok)
            throw ConfigError("--log-level: expected error | warning | notice | information | "
                              "debug");
    }
    std::string name = argv[i];
    std::vector<std::string> args(argv + i + 1, argv + argc);
    for (const auto& c : commands())
        if (name == c.name)
            return c.run(globals, args, installers);
    throw ConfigError("unknown command \"" + escapeForLog(name, 80) + "\" (see certagent --help)");
}

} // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"run", "[--cert NAME]... [--wait DURATION] [--dry-run] [--force]",
         "do what is due for every (or the named) certificate", runCommand},
        {"issue", "NAME [--wait DURATION] [--dry-run]",
         "start an order / reissue now, even if not due", issueCommand},
        {"install", "NAME [--order-id ID | --order-url URL] [--wait DURATION] [--dry-run]",
         "fetch an issued order, verify, deploy (entry point for deployment hooks)",
         installCommand},
        {"csr", "NAME", "write a new pending key and print its CSR (for ordering by hand)",
         csrCommand},
        {"status", "[NAME] [--json] [--served]",
         "table of certificates; --json for machines; --served: which block serves each name",
         statusCommand},
        {"verify", "[NAME]", "re-check live files and what each server serves", verifyCommand},
        {"discover",
         "[--installer nginx|apache] [--json] [--write NAME --domains A,B [--order-id ID | "
         "--product-id ID]]",
         "what the web servers serve over TLS now, and why; --write: a certs.d file taking names "
         "over",
         discoverCommand},
        {"rollback", "NAME", "reinstate the previous version and redeploy", rollbackCommand},
        {"hooks", "test NAME", "run deploy hooks against the current version", hooksCommand},
        {"api", "METHOD [key=value]...", "raw API call for support (secrets redacted)", apiCommand},
        {"acme", "register|account [--ca NAME]",
         "create or look up the ACME account ([acme] or [acme-NAME]); show it", acmeCommand},
        {"sync", "[--cert NAME]... [--dry-run]",
         "fleet: pull what the fleet published, place and ack validation files; never orders",
         syncCommand},
        {"cluster", "status [--json] | keygen | publish NAME | rollback NAME | leave | rekey",
         "fleet: convergence per certificate, a new fleet key, seed from this host, roll the "
         "fleet back one version, leave, re-seal under a new fleet key",
         clusterCommand},
    };
    return table;
}

int main(int argc, char** argv, const core::InstallerFactory& installers) {
    setupDefaultLogging();
    try {
        return dispatch(argc, argv, installers);
    } catch (const Error& e) {
        core::logger().error(std::string("certagent: ") + e.what()); // errors reach stderr
        return e.exitCode();
    } catch (const Poco::Exception& e) {
        core::logger().error("certagent: internal error: " + escapeForLog(e.displayText()));
        return kExitInternal;
    } catch (const std::exception& e) {
        core::logger().error(std::string("certagent: internal error: ") + escapeForLog(e.what()));
        return kExitInternal;
    }
}

} // namespace certagent::cli
