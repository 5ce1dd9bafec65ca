#pragma once

#include "core/Installer.h"

namespace certagent::cli {

/// The whole program: parses argv, runs one command, and turns every outcome into an exit code
/// of README "Exit codes". This is the one top-level catch.
int main(int argc, char** argv, const core::InstallerFactory& installers);

} // namespace certagent::cli
