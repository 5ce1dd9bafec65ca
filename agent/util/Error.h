#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace certagent {

/// Exit codes (README, "Exit codes").
enum ExitCode : int {
    kExitOk = 0,
    kExitInternal = 1,
    kExitUsage = 2,
    kExitTemporary = 3,
    kExitRefused = 4,
    kExitRolledBack = 5,
    kExitRollbackFailed = 6,
    kExitLocalIo = 7,
};

/// Returns the more severe of two exit codes: 6 > 1 > 5 > 4 > 2 > 7 > 3 > 0 (a bug or an
/// uncertain server outranks everything a human can fix later).
int worseExit(int a, int b);

/// Base of every expected failure. The message is one line, already free of secrets.
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& what, int exitCode = kExitInternal)
        : std::runtime_error(what), m_exitCode(exitCode) {}
    int exitCode() const { return m_exitCode; }

  private:
    int m_exitCode;
};

/// Bad command line or configuration (exit 2). The message names file and key.
class ConfigError : public Error {
  public:
    explicit ConfigError(const std::string& what) : Error(what, kExitUsage) {}
};

/// Something transient: network, lock busy, deadline, not-yet-valid (exit 3).
class TemporaryError : public Error {
  public:
    explicit TemporaryError(const std::string& what) : Error(what, kExitTemporary) {}
};

/// Data or a request refused; needs a human (exit 4).
class RefusedError : public Error {
  public:
    explicit RefusedError(const std::string& what) : Error(what, kExitRefused) {}
};

/// OpenSSL failure or certificate material that failed the gate (exit 4 unless deferred).
class CryptoError : public Error {
  public:
    explicit CryptoError(const std::string& what, int exitCode = kExitRefused)
        : Error(what, exitCode) {}
};

/// Local filesystem failure before anything changed (exit 7).
class IoError : public Error {
  public:
    explicit IoError(const std::string& what) : Error(what, kExitLocalIo) {}
};

/// A web server plugin step failed. The exit code is set by whoever knows whether the rollback
/// worked (5 rolled back, 6 rollback failed); a plugin throws it with the default 5.
class InstallError : public Error {
  public:
    InstallError(const std::string& plugin, const std::string& step, const std::string& what,
                 int exitCode = kExitRolledBack)
        : Error(plugin + " " + step + ": " + what, exitCode), m_plugin(plugin), m_step(step) {}
    const std::string& plugin() const { return m_plugin; }
    const std::string& step() const { return m_step; }

  private:
    std::string m_plugin;
    std::string m_step;
};

/// A remote service (the GoGetSSL API, an ACME server, etcd) failed a call. exitCode() is 3 when
/// retryable (network, timeout, 5xx, 429, rate limits), else `refusedCode` (4 by default: the
/// service refused, or sent something unusable). maybeProcessed(): a non-idempotent request that
/// may have reached the service without a clear answer; the caller reconciles before repeating
/// it. retryAfter(): the service's own wait hint (already clamped by the client), if any.
class ServiceError : public Error {
  public:
    struct Info {
        bool retryable = false;
        bool maybeProcessed = false;
        std::optional<std::chrono::seconds> retryAfter;
    };
    ServiceError(const std::string& what, Info info, int refusedCode = kExitRefused)
        : Error(what, info.retryable ? kExitTemporary : refusedCode), m_info(info) {}
    bool retryable() const { return m_info.retryable; }
    bool maybeProcessed() const { return m_info.maybeProcessed; }
    std::optional<std::chrono::seconds> retryAfter() const { return m_info.retryAfter; }

  private:
    Info m_info;
};

/// Returns strerror(err) as a string (thread-safe).
std::string errnoText(int err);

} // namespace certagent
