#include "FuzzTargets.h"
#include "TestEnv.h"
#include "util/FileIo.h"

#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>

namespace certagent::fuzz {

const std::vector<Target>& targets() {
    static const std::vector<Target> all{
        {"api_replies", apiReplies},     {"pem_intake", pemIntake},     {"gate", gate},
        {"nginx_conf", nginxConf},       {"nginx_dump", nginxDump},     {"apache_conf", apacheConf},
        {"apache_vhosts", apacheVhosts}, {"config_files", configFiles}, {"dcv_file", dcvFile},
        {"acme_replies", acmeReplies},   {"etcd_replies", etcdReplies},
    };
    return all;
}

void requireThat(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

std::vector<std::string> splitParts(std::string_view input, std::size_t maxParts) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (parts.size() + 1 < maxParts) {
        // A separator is a whole line "%%": at the start or after a newline, then newline or end.
        std::size_t at = input.find("%%", start);
        while (at != std::string_view::npos &&
               !((at == 0 || input[at - 1] == '\n') &&
                 (at + 2 == input.size() || input[at + 2] == '\n'))) {
            at = input.find("%%", at + 1);
        }
        if (at == std::string_view::npos) {
            break;
        }
        parts.emplace_back(input.substr(start, at - start));
        start = std::min(at + 3, input.size());
    }
    parts.emplace_back(input.substr(start));
    return parts;
}

const std::string& scratchDir() {
    static const test::TempDir dir;
    return dir.path();
}

void clearScratch() {
    const std::string& dir = scratchDir();
    requireThat(removeTree(dir), "scratch directory could not be cleared");
    // Plain mkdir: ensureDir's fsync of the parent would cost more than the input's whole run.
    requireThat(::mkdir(dir.c_str(), 0700) == 0, "scratch directory could not be made again");
}

std::string writeScratch(const std::string& relative, const std::string& content, unsigned mode) {
    const std::string path = scratchDir() + "/" + relative;
    test::writeFile(path, content, mode);
    return path;
}

} // namespace certagent::fuzz
