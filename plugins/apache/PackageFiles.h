#pragma once

#include <string>

namespace certagent::plugins::apache {

/// Whether `path` (as written, or the file it resolves to) is a conffile of an installed Debian
/// package: a line of some <infoDir>/*.conffiles (infoDir = /var/lib/dpkg/info). Such a file is
/// never edited in place (dpkg would offer the package's version back on every upgrade); a block
/// overrides it instead. False when infoDir cannot be read (not a dpkg system). Never throws.
bool isPackageConffile(const std::string& path, const std::string& infoDir);

} // namespace certagent::plugins::apache
