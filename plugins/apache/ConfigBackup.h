#pragma once

// Backups of the configuration files the apache installer edits, kept outside every include
// directory (<store>/backup/apache/<timestamp>/<original absolute path> + manifest.json).

#include "util/FileBackup.h"

#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// The files of one deploy as they were before it.
class ConfigBackup {
  public:
    /// Reads each file (symlinks resolved: the target is what gets edited) and writes the copies
    /// and manifest.json below <storeDir>/backup/apache/<UTC timestamp>/. Throws IoError before
    /// anything is edited when a file cannot be read or the backup cannot be written.
    void save(const std::string& storeDir, const std::vector<std::string>& files);
    /// Puts every saved file back as it was (content, mode, owner). Throws IoError on the first
    /// file that cannot be written.
    void restore() const;
    /// The saved file whose real path is `resolvedPath`, or nullptr.
    const FileSnapshot* original(const std::string& resolvedPath) const;
    bool empty() const { return m_files.empty(); }
    const std::string& dir() const { return m_dir; }

  private:
    std::vector<FileSnapshot> m_files;
    std::string m_dir;
};

/// realpath(3); returns `path` unchanged when it cannot be resolved.
std::string resolvedPath(const std::string& path);

} // namespace certagent::plugins::apache
