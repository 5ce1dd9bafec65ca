#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace certagent::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::string& path() const { return m_path; }
    /// path() + "/" + relative
    std::string operator/(const std::string& relative) const { return m_path + "/" + relative; }

  private:
    std::string m_path;
};

/// The value of an environment variable set by ctest (CERTAGENT_BIN, CERTAGENT_SANDBOX_BIN,
/// CERTAGENT_SOURCE_DIR, CERTAGENT_BUILD_DIR); throws if unset.
std::string envPath(const char* name);

/// Writes `content` to `path` with `mode`, creating parent directories (0755).
void writeFile(const std::string& path, const std::string& content, unsigned mode = 0644);
/// Reads a whole file; throws if it cannot.
std::string readFile(const std::string& path);
/// The names in directory `dir` (no "." or ".."), in no particular order; none when it is missing.
std::vector<std::string> listDir(const std::string& dir);
bool exists(const std::string& path);
/// The top-level members of the JSON object in file `path` as text (an array as its size, null
/// as ""); empty when the file does not exist.
std::map<std::string, std::string> jsonFields(const std::string& path);

/// Result of runCommand.
struct CommandOutput {
    int exitCode = -1;
    std::string output; ///< stdout and stderr together
};
/// Runs argv (no shell) with the current environment plus `extraEnv` ("K=V"), waits, returns
/// the exit code and output. Used to run the real certagent binary and openssl.
CommandOutput runCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extraEnv = {}, int timeoutSeconds = 300);

/// Runs `f` and returns the E it throws; throws std::logic_error (failing the test) when it
/// throws nothing.
template <typename E, typename F> E expectThrow(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    throw std::logic_error("expected an exception, none was thrown");
}

/// A fake dpkg database in `dir` (for `dpkg-query --admindir`): one installed package whose
/// conffiles are `paths`.
void writeDpkgStatus(const std::string& dir, const std::vector<std::string>& paths);

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
int freePort();

} // namespace certagent::test
