#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace certagent {

/// What a finished child did.
struct SubprocessResult {
    int exitCode = -1;     ///< exit status, or -1 when killed by a signal
    int signal = 0;        ///< the terminating signal, 0 if it exited
    bool timedOut = false; ///< killed by us when the timeout expired
    std::string output;    ///< stdout and stderr interleaved, capped at `outputCap` bytes
    bool ok() const { return exitCode == 0 && !timedOut; }
    /// "exit 3", "killed by signal 9", "timed out after 5s".
    std::string describe() const;
};

struct SubprocessOptions {
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    /// The complete environment of the child (nothing is inherited). Empty: PATH only.
    std::map<std::string, std::string> env;
    std::string stdinData; ///< written to the child's stdin, then closed
    std::string workDir;   ///< empty: inherit
    size_t outputCap = 1 << 20;
    /// SIGKILL what is left of the child's process group once the child exits (hooks). Daemons
    /// that call setsid(), such as `apache2 -k start`, are not affected either way.
    bool killGroupOnExit = true;
};

/// The seam for running programs (ninja's CommandRunner): plugins and the hook runner take a
/// reference so tests can substitute a fake.
class CommandRunner {
  public:
    virtual ~CommandRunner() = default;
    /// Runs argv[0] (an absolute path or a name looked up in the fixed PATH) with argv, never a
    /// shell. Throws Error only when the program cannot be started at all.
    virtual SubprocessResult run(const std::vector<std::string>& argv,
                                 const SubprocessOptions& options) = 0;
};

/// The real runner: posix_spawn in a new process group; on timeout, and after the leader exits,
/// the whole group gets SIGKILL so a lingering background child can never hold the run.
/// (Poco::Process can neither set a process group nor time out, hence our own.)
class SystemCommandRunner : public CommandRunner {
  public:
    SubprocessResult run(const std::vector<std::string>& argv,
                         const SubprocessOptions& options) override;
};

/// The fixed PATH given to every child.
extern const char* const kFixedPath;

} // namespace certagent
