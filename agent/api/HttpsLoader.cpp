// makeHttpsTransport for the certagent binary: the real transport lives in certagent-https.so
// (api/HttpsModule.h), loaded on the first call, so that a run which makes no request (the idle
// cron run, status, most local commands) starts without Poco NetSSL, Util, XML, Crypto and expat.
// Tests and the sandbox link api/HttpsTransport.cpp directly (the certagent_https library).
#include "api/HttpsModule.h"
#include "api/Transport.h"
#include "util/Error.h"
#include "util/PathTrust.h"
#include "util/Text.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::api {
namespace {

/// The directory of the running binary ("" if /proc is not mounted).
std::string binaryDir() {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        return "";
    }
    std::string path(buf, static_cast<std::size_t>(n));
    return path.substr(0, path.rfind('/'));
}

/// Where the module may be, in order: next to the binary (the build tree), then the install
/// location relative to it (CERTAGENT_HTTPS_MODULE_RELDIR: ../lib/certagent/modules from sbin).
std::vector<std::string> candidates() {
    const std::string dir = binaryDir();
    if (dir.empty()) {
        return {};
    }
    std::vector<std::string> paths{dir + "/" + kHttpsModuleFile};
    char resolved[PATH_MAX];
    const std::string installDir = dir + "/" CERTAGENT_HTTPS_MODULE_RELDIR;
    if (::realpath(installDir.c_str(), resolved) != nullptr) {
        paths.push_back(std::string(resolved) + "/" + kHttpsModuleFile);
    }
    return paths;
}

/// Empty if the module at `path` may run in this (root) process: a regular file owned by root or
/// us, not writable by group or others, in a directory nobody else can add to or rename in.
std::string trustProblem(const std::string& path, const struct stat& st) {
    const std::string dirProblem = entriesDirProblem(path.substr(0, path.rfind('/')));
    if (!dirProblem.empty()) {
        return dirProblem;
    }
    if (!S_ISREG(st.st_mode)) {
        return path + " is not a regular file";
    }
    if (!trustedOwner(st)) {
        return path + " is owned by uid " + std::to_string(st.st_uid) + " (not root or us)";
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return path + " is group- or world-writable (fix: chmod go-w " + path + ")";
    }
    return "";
}

/// Loads the first candidate that exists; throws IoError naming what is wrong.
const HttpsModuleEntry* load() {
    const std::vector<std::string> paths = candidates();
    for (const std::string& path : paths) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            continue;
        }
        const std::string problem = trustProblem(path, st);
        if (!problem.empty()) {
            throw IoError("the HTTPS transport module is not trusted: " + problem);
        }
        // Never closed: the transports it makes (and their vtables) live until exit.
        void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            throw IoError("cannot load the HTTPS transport " + path + ": " +
                          escapeForLog(why ? why : "unknown error", 300));
        }
        using EntryFn = const HttpsModuleEntry* (*)();
        auto fn = reinterpret_cast<EntryFn>(::dlsym(handle, kHttpsModuleSymbol));
        const HttpsModuleEntry* entry = fn ? fn() : nullptr;
        if (entry == nullptr || entry->make == nullptr ||
            std::string(entry->version) != CERTAGENT_VERSION) {
            throw IoError(path + " is not the HTTPS transport of certagent " CERTAGENT_VERSION
                                 " (reinstall certagent)");
        }
        return entry;
    }
    std::string where;
    for (const std::string& path : paths) {
        where += (where.empty() ? "" : " or ") + path;
    }
    throw IoError(
        "the HTTPS transport module is missing (" +
        (where.empty() ? std::string("cannot read /proc/self/exe") : "looked for " + where) +
        "): reinstall certagent");
}

} // namespace

std::unique_ptr<HttpTransport> makeHttpsTransport(const std::string& baseUrl,
                                                  const TlsSettings& tls) {
    static std::mutex mutex;
    static const HttpsModuleEntry* entry = nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (entry == nullptr) {
            entry = load(); // a failure is not cached: the next call looks again
        }
    }
    return entry->make(baseUrl, tls);
}

} // namespace certagent::api
