#include "plugins/PackageConffiles.h"

#include <climits>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace certagent::plugins {

PackageConffiles::PackageConffiles(CommandRunner& runner, std::string adminDir)
    : m_runner(runner), m_adminDir(std::move(adminDir)) {}

const std::set<std::string>& PackageConffiles::files() {
    if (m_files)
        return *m_files;
    m_files.emplace();
    std::vector<std::string> argv = {"dpkg-query"};
    if (!m_adminDir.empty())
        argv.push_back("--admindir=" + m_adminDir);
    argv.insert(argv.end(), {"-W", "-f", "${Conffiles}\\n"});
    SubprocessOptions options;
    options.timeout = std::chrono::seconds(30);
    options.outputCap = 16 << 20;
    try {
        SubprocessResult result = m_runner.run(argv, options);
        // Each line: " /etc/path md5sum [obsolete|remove-on-upgrade]". A failed query (no dpkg,
        // no packages) leaves the set empty: nothing is a conffile.
        std::istringstream lines(result.ok() ? result.output : "");
        for (std::string path; lines >> path;) {
            if (!path.empty() && path[0] == '/')
                m_files->insert(path);
            lines.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
        }
    } catch (const std::exception&) {
        // dpkg-query cannot be started: not a Debian system
    }
    return *m_files;
}

bool PackageConffiles::contains(const std::string& path) {
    char resolved[PATH_MAX];
    std::string real = ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
    const auto& all = files();
    return all.count(path) > 0 || all.count(real) > 0;
}

} // namespace certagent::plugins
