#include "plugins/apache/ConfigBackup.h"

#include <climits>
#include <cstdlib>

namespace certagent::plugins::apache {

std::string resolvedPath(const std::string& path) {
    char buf[PATH_MAX];
    return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

void ConfigBackup::save(const std::string& storeDir, const std::vector<std::string>& files) {
    m_files.clear();
    for (const std::string& file : files)
        m_files.push_back(snapshotFile(file));
    m_dir = writeBackup(storeDir, "apache", m_files);
}

void ConfigBackup::restore() const {
    for (const FileSnapshot& saved : m_files) {
        FileSnapshot now = snapshotFile(saved.realPath);
        if (now.content == saved.content)
            continue; // unchanged: leave its mtime alone
        replaceFile(saved, saved.content);
    }
}

const FileSnapshot* ConfigBackup::original(const std::string& path) const {
    for (const FileSnapshot& saved : m_files)
        if (saved.realPath == path)
            return &saved;
    return nullptr;
}

} // namespace certagent::plugins::apache
