#include "cli/Cli.h"
#include "plugins/Plugins.h"

int main(int argc, char** argv) {
    return certagent::cli::main(argc, argv, certagent::plugins::makeInstaller);
}
