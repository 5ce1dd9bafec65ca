#include "cli/Commands.h"
#include "core/backends/AcmeBackend.h"
#include "util/Text.h"

#include <iostream>

namespace certagent::cli {

namespace {

const char* const kUsage = "acme: usage: certagent acme register|account [--ca NAME]";

/// The ACME backend `--ca NAME` names: [acme] without it, [acme-NAME] with it.
core::AcmeBackend& acmeBackend(Session& s, const Args& args) {
    std::string name = args.value("--ca");
    std::string kind = name.empty() || name == "acme" ? "acme"
                       : name.rfind("acme-", 0) == 0  ? name
                                                      : "acme-" + name;
    if (!s.config().acmeFor(kind))
        throw ConfigError("acme: no [" + escapeForLog(kind, 80) + "] section in " +
                          escapeForLog(s.config().path));
    auto* backend = dynamic_cast<core::AcmeBackend*>(&s.backends().named(kind));
    if (!backend)
        throw Error("acme: backend " + kind + " is not an ACME backend");
    return *backend;
}

void printFacts(const acme::AccountFacts& facts, const std::string& where) {
    std::cout << "account " << escapeForLog(facts.url, 300) << ": "
              << escapeForLog(facts.status, 40) << "\n";
    for (const auto& contact : facts.contact)
        std::cout << "  contact " << escapeForLog(contact, 200) << "\n";
    if (!facts.orders.empty())
        std::cout << "  orders " << escapeForLog(facts.orders, 300) << "\n";
    std::cout << "  kept in " << where << "\n";
}

int registerAccount(core::AcmeBackend& backend) {
    acme::AccountFacts facts = backend.account().registerNow();
    std::cout << (facts.created ? "created " : "found ");
    printFacts(facts, backend.account().where());
    return kExitOk;
}

int showAccount(core::AcmeBackend& backend) {
    auto& account = backend.account();
    account.sync(); // in a fleet: the shared account
    auto kept = account.kept();
    if (!kept) {
        std::cout << "no account at " << escapeForLog(account.settings().directory, 300)
                  << " yet (certagent acme register, or the first order, makes one)\n";
        return kExitOk;
    }
    std::cout << "directory " << escapeForLog(kept->directoryUrl, 300) << "\n"
              << "created " << kept->createdAt << "\n";
    if (!kept->eabKid.empty())
        std::cout << "external account binding " << escapeForLog(kept->eabKid, 200) << "\n";
    auto facts = account.fetch();
    if (facts)
        printFacts(*facts, account.where());
    return kExitOk;
}

} // namespace

int acmeCommand(const Globals& g, const std::vector<std::string>& argv,
                const core::InstallerFactory& installers) {
    Args args = parseArgs("acme", argv, {}, {"--ca"});
    if (args.positional.size() != 1 ||
        (args.positional[0] != "register" && args.positional[0] != "account"))
        throw ConfigError(kUsage);
    Session s(g, installers, config::NeedCredentials::No, false);
    s.lock(); // the account files are written under the store's lock
    core::AcmeBackend& backend = acmeBackend(s, args);
    return args.positional[0] == "register" ? registerAccount(backend) : showAccount(backend);
}

} // namespace certagent::cli
