#include "util/Subprocess.h"

#include "util/Error.h"
#include "util/FileIo.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace certagent {

const char* const kFixedPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

namespace {

using Clock = std::chrono::steady_clock;

using Fd = UniqueFd;

void makePipe(Fd& readEnd, Fd& writeEnd) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw Error("pipe: " + errnoText(errno));
    readEnd.reset(fds[0]);
    writeEnd.reset(fds[1]);
}

std::vector<std::string> buildEnv(const SubprocessOptions& options) {
    std::vector<std::string> env;
    bool hasPath = false;
    for (const auto& [key, value] : options.env) {
        hasPath = hasPath || key == "PATH";
        env.push_back(key + "=" + value);
    }
    if (!hasPath)
        env.push_back(std::string("PATH=") + kFixedPath);
    return env;
}

std::vector<char*> cstrings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string resolve(const std::string& program) {
    if (program.find('/') != std::string::npos)
        return program;
    std::string path = kFixedPath;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos)
            end = path.size();
        std::string candidate = path.substr(start, end - start) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return program;
}

pid_t spawn(const std::vector<std::string>& argv, const SubprocessOptions& options, Fd& in,
            Fd& out) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, out.get(), 2);
    if (!options.workDir.empty())
        posix_spawn_file_actions_addchdir_np(&actions, options.workDir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);

    std::vector<std::string> args = argv;
    std::vector<std::string> env = buildEnv(options);
    auto cargs = cstrings(args);
    auto cenv = cstrings(env);
    std::string program = resolve(argv[0]);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw Error("cannot start " + argv[0] + ": " + errnoText(rc));
    return pid;
}

/// Feeds stdin and drains output until the leader exits or the deadline passes.
void pump(pid_t pid, Fd& stdinWrite, Fd& outRead, const SubprocessOptions& options,
          SubprocessResult& result, int& status) {
    size_t written = 0;
    auto deadline = Clock::now() + options.timeout;
    char buf[8192];
    for (;;) {
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return;
        auto now = Clock::now();
        if (now >= deadline) {
            result.timedOut = true;
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return;
        }
        struct pollfd fds[2];
        int n = 0;
        fds[n++] = {outRead.get(), POLLIN, 0};
        if (stdinWrite.get() >= 0)
            fds[n++] = {stdinWrite.get(), POLLOUT, 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        int wait = static_cast<int>(std::min<long long>(left.count(), 50));
        if (::poll(fds, n, wait) < 0 && errno != EINTR)
            throw Error("poll: " + errnoText(errno));
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t got = ::read(outRead.get(), buf, sizeof buf);
            if (got > 0 && result.output.size() < options.outputCap)
                result.output.append(
                    buf, std::min<size_t>(got, options.outputCap - result.output.size()));
        }
        if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t put = ::write(stdinWrite.get(), options.stdinData.data() + written,
                                  options.stdinData.size() - written);
            if (put > 0)
                written += static_cast<size_t>(put);
            if (put < 0 || written >= options.stdinData.size())
                stdinWrite.reset();
        }
    }
}

/// After the leader exits: read what is already buffered, then kill the rest of the group so
/// a background child holding the pipe cannot keep us waiting.
void drainAndReap(pid_t pid, Fd& outRead, SubprocessResult& result, size_t cap, bool kill) {
    if (kill)
        ::kill(-pid, SIGKILL);
    ::fcntl(outRead.get(), F_SETFL, O_NONBLOCK);
    char buf[8192];
    for (;;) {
        ssize_t got = ::read(outRead.get(), buf, sizeof buf);
        if (got <= 0)
            break;
        if (result.output.size() < cap)
            result.output.append(buf, std::min<size_t>(got, cap - result.output.size()));
    }
}

} // namespace

std::string SubprocessResult::describe() const {
    if (timedOut)
        return "timed out";
    if (signal != 0)
        return "killed by signal " + std::to_string(signal);
    return "exit " + std::to_string(exitCode);
}

SubprocessResult SystemCommandRunner::run(const std::vector<std::string>& argv,
                                          const SubprocessOptions& options) {
    if (argv.empty())
        throw Error("run: empty command line");
    Fd inRead, inWrite, outRead, outWrite;
    makePipe(inRead, inWrite);
    makePipe(outRead, outWrite);
    pid_t pid = spawn(argv, options, inRead, outWrite);
    inRead.reset();
    outWrite.reset();
    if (options.stdinData.empty())
        inWrite.reset();
    else
        ::fcntl(inWrite.get(), F_SETFL, O_NONBLOCK);

    SubprocessResult result;
    int status = 0;
    struct sigaction ignore = {}, old = {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    pump(pid, inWrite, outRead, options, result, status);
    ::sigaction(SIGPIPE, &old, nullptr);
    drainAndReap(pid, outRead, result, options.outputCap, options.killGroupOnExit);
    if (WIFEXITED(status))
        result.exitCode = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.signal = WTERMSIG(status);
    return result;
}

} // namespace certagent
