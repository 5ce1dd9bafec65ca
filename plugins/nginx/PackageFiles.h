#pragma once

#include <string>

namespace certagent::plugins::nginx {

/// Where dpkg lists each package's conffiles (<dir>/<package>.conffiles).
constexpr const char* kDpkgInfoDir = "/var/lib/dpkg/info";

/// Whether `path` (as written, or the file it resolves to) is a package's conffile: listed in a
/// `*.conffiles` file below `dpkgInfoDir`. Such a file (Debian's snippets/snakeoil.conf) is the
/// package's to update and the admin's to edit, never certagent's. False when the directory
/// does not exist (not a dpkg system). Never throws.
bool isPackageConffile(const std::string& path, const std::string& dpkgInfoDir = kDpkgInfoDir);

} // namespace certagent::plugins::nginx
