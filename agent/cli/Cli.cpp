#include "cli/Cli.h"

#include "util/Error.h"

#include <cstring>
#include <iostream>

namespace certagent::cli {

// Minimal entry point until the command layer lands (issue: run/issue/install/status).
int main(int argc, char** argv, const core::InstallerFactory&) {
    if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "certagent " << CERTAGENT_VERSION << "\n";
        return kExitOk;
    }
    std::cerr << "usage: certagent [--config FILE] COMMAND [ARGS]\n";
    return kExitUsage;
}

} // namespace certagent::cli
