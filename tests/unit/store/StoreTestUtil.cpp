#include "StoreTestUtil.h"

#include "TestEnv.h"
#include "util/Error.h"

#include <cstdlib>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

namespace certagent::store::test {

namespace {
const std::string kTagMarker = "tag:";

std::string pem(const std::string& label, const std::string& body) {
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
}
} // namespace

VersionFiles fakeVersion(const std::string& tag, size_t certPadding) {
    VersionFiles f;
    f.privkeyPem = pem("PRIVATE KEY", "key " + kTagMarker + tag);
    f.certPem =
        pem("CERTIFICATE", "leaf " + kTagMarker + tag + " " + std::string(certPadding, 'A'));
    f.chainPem = pem("CERTIFICATE", "intermediate " + kTagMarker + tag);
    f.fullchainPem = f.certPem + f.chainPem;
    f.meta.order = certagent::store::OrderRef{"gogetssl", "1840217"};
    f.meta.serial = "0A" + tag;
    f.meta.sha256 = "sha-" + tag;
    f.meta.notBefore = "2026-11-29T00:00:00Z";
    f.meta.notAfter = "2027-06-17T23:59:59Z";
    f.meta.names = {"example.com", "www.example.com"};
    return f;
}

std::string tagOf(const std::string& certPem) {
    const size_t at = certPem.find(kTagMarker);
    if (at == std::string::npos) {
        return {};
    }
    const size_t start = at + kTagMarker.size();
    size_t end = start;
    while (end < certPem.size() && certPem[end] != '\n' && certPem[end] != ' ') {
        ++end;
    }
    return certPem.substr(start, end - start);
}

std::string checkLiveConsistent(const Store& store, const std::string& name, std::string& tag) {
    auto live = store.liveVersion(name);
    if (!live) {
        return "no live version";
    }
    if (!store.isComplete(name, *live)) {
        return "live version " + std::to_string(*live) + " is incomplete";
    }
    const std::string dir = store.liveDir(name);
    tag = tagOf(certagent::test::readFile(dir + "/cert.pem"));
    const VersionFiles want = fakeVersion(tag);
    if (tag.empty()) {
        return "live cert.pem is not one of ours";
    }
    if (certagent::test::readFile(dir + "/privkey.pem") != want.privkeyPem ||
        certagent::test::readFile(dir + "/chain.pem") != want.chainPem ||
        tagOf(certagent::test::readFile(dir + "/fullchain.pem")) != tag) {
        return "live files of version " + std::to_string(*live) + " are mixed or truncated";
    }
    auto meta = store.liveMeta(name);
    if (!meta || meta->sha256 != want.meta.sha256) {
        return "live meta.json does not match version tag " + tag;
    }
    return {};
}

ChildResult runInChild(const std::function<std::string()>& body, const std::string& faultSpec) {
    int fds[2];
    if (::pipe(fds) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::close(fds[0]);
        if (!faultSpec.empty()) {
            ::setenv("CERTAGENT_FAULT", faultSpec.c_str(), 1);
        }
        std::string message;
        int code = 0;
        try {
            message = body();
            code = message.empty() ? 0 : (message == "skip" ? 77 : 1);
        } catch (const Error& e) {
            message = std::string("Error(") + std::to_string(e.exitCode()) + "): " + e.what();
            code = 2;
        } catch (const std::exception& e) {
            message = std::string("exception: ") + e.what();
            code = 3;
        }
        if (::write(fds[1], message.data(), message.size()) < 0) {
            code = 4;
        }
        ::_exit(code);
    }
    ::close(fds[1]);
    ChildResult result;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) != 0) {
        if (n > 0) {
            result.message.append(buf, static_cast<size_t>(n));
        } else if (errno != EINTR) {
            break;
        }
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exitCode = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
}

std::string findEntryWithPrefix(const std::string& dir, const std::string& prefix) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return {};
    }
    std::string found;
    while (dirent* e = ::readdir(d)) {
        const std::string entry = e->d_name;
        if (entry != "." && entry != ".." && entry.compare(0, prefix.size(), prefix) == 0) {
            found = entry;
            break;
        }
    }
    ::closedir(d);
    return found;
}

} // namespace certagent::store::test
