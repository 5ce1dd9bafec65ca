#pragma once

#include "cli/Session.h"
#include "core/Installer.h"

#include <string>
#include <vector>

namespace certagent::cli {

/// One subcommand: parses its own arguments, returns the exit code of README "Exit codes", throws
/// Error for failures the top-level catch maps.
using CommandFn = int (*)(const Globals& globals, const std::vector<std::string>& args,
                          const core::InstallerFactory& installers);

/// A row of the command table (ninja style).
struct Command {
    const char* name;
    const char* usage; ///< arguments, as in README "Commands"
    const char* help;  ///< one line
    CommandFn run;
};

/// The table, in --help order.
const std::vector<Command>& commands();

int runCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int issueCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int installCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int csrCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int statusCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int verifyCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int rollbackCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int hooksCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int discoverCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int apiCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int acmeCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int syncCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);
int clusterCommand(const Globals&, const std::vector<std::string>&, const core::InstallerFactory&);

} // namespace certagent::cli
