#pragma once

#include "util/FileIo.h"

#include <chrono>
#include <string>

namespace certagent::store {

/// The store lock (README, "Files on disk"): flock(LOCK_EX) on <store>/lock, one run at a time.
/// Waits at most `timeout`, polling with LOCK_NB every `pollInterval`. Once held, the file contains
/// "pid <pid>\nstarted <YYYY-MM-DD HH:MM:SS> UTC\n". Released by the destructor (RAII); the fd
/// is close-on-exec so hooks never inherit it.
class StoreLock {
  public:
    /// Throws TemporaryError (exit 3) if still busy after `timeout`:
    ///   "another certagent (pid 1234, started 2026-11-29 14:02:11 UTC) holds
    ///   /var/lib/certagent/lock"
    /// Throws IoError if the lock file cannot be opened (or is a symlink).
    StoreLock(const std::string& path, std::chrono::milliseconds timeout,
              std::chrono::milliseconds pollInterval = std::chrono::milliseconds(100));
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;
    ~StoreLock();

    const std::string& path() const { return m_path; }

  private:
    std::string m_path;
    UniqueFd m_fd;
};

} // namespace certagent::store
