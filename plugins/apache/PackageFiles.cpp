#include "plugins/apache/PackageFiles.h"

#include "plugins/apache/ConfigBackup.h"

#include <Poco/String.h>

#include <fstream>
#include <glob.h>
#include <memory>

namespace certagent::plugins::apache {

bool isPackageConffile(const std::string& path, const std::string& infoDir) {
    const std::string real = resolvedPath(path);
    glob_t found{};
    std::unique_ptr<glob_t, void (*)(glob_t*)> owner(&found, ::globfree);
    if (::glob((infoDir + "/*.conffiles").c_str(), 0, nullptr, &found) != 0)
        return false;
    for (size_t i = 0; i < found.gl_pathc; ++i) {
        std::ifstream in(found.gl_pathv[i]);
        std::string line;
        while (std::getline(in, line)) {
            line = Poco::trim(line);
            if (line == path || line == real)
                return true;
        }
    }
    return false;
}

} // namespace certagent::plugins::apache
