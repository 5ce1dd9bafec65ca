#pragma once

#include "util/Subprocess.h"

#include <optional>
#include <set>
#include <string>

namespace certagent::plugins {

/// The conffiles of the installed Debian packages, as dpkg records them: asked once, through
/// `dpkg-query -W -f '${Conffiles}\n'` (with `--admindir DIR` when one is given: tests). A
/// package's conffile (Debian's snippets/snakeoil.conf) is the package's to update and the
/// admin's to edit, never certagent's: both web server plugins override it in the block instead.
class PackageConffiles {
  public:
    explicit PackageConffiles(CommandRunner& runner, std::string adminDir = {});

    /// Whether `path` (as written, or the file it resolves to) is a conffile. False on a system
    /// without dpkg. Never throws.
    bool contains(const std::string& path);

  private:
    const std::set<std::string>& files();

    CommandRunner& m_runner;
    std::string m_adminDir;
    std::optional<std::set<std::string>> m_files;
};

} // namespace certagent::plugins
