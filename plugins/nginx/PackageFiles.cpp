#include "plugins/nginx/PackageFiles.h"

#include "util/FileIo.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>

#include <climits>
#include <cstdlib>
#include <sstream>

namespace certagent::plugins::nginx {

namespace {

constexpr size_t kMaxListBytes = 1 << 20;

/// A conffiles line is "PATH" or, since dpkg 1.20, "FLAG PATH" (remove-on-upgrade).
bool listsPath(const std::string& list, const std::string& a, const std::string& b) {
    std::istringstream lines(list);
    for (std::string line; std::getline(lines, line);) {
        size_t slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        std::string listed = line.substr(slash);
        if (!listed.empty() && listed.back() == '\r')
            listed.pop_back();
        if (listed == a || listed == b)
            return true;
    }
    return false;
}

} // namespace

bool isPackageConffile(const std::string& path, const std::string& dpkgInfoDir) {
    char resolved[PATH_MAX];
    std::string real = ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
    try {
        for (Poco::DirectoryIterator it(dpkgInfoDir), end; it != end; ++it) {
            const std::string& name = it.name();
            if (name.size() < 10 || name.compare(name.size() - 10, 10, ".conffiles") != 0)
                continue;
            try {
                std::optional<std::string> list =
                    readFileCapped(it.path().toString(), kMaxListBytes);
                if (list && listsPath(*list, path, real))
                    return true;
            } catch (const std::exception&) {
                continue; // an unreadable list (a planted symlink, say): the others still count
            }
        }
    } catch (const Poco::Exception&) {
        return false; // no dpkg database here
    }
    return false;
}

} // namespace certagent::plugins::nginx
