#pragma once

// Internal: the auth key cached across runs in a 0600 file (e.g. <store>/auth.key).

#include "util/Secret.h"

#include <string>

namespace certagent::api::detail {

/// File format: "certagent-auth-key 1\n<sha256 hex of url LF user>\n<key>\n". A key is only
/// reused for the same base URL and user, so it is never sent to another server.
class KeyCache {
  public:
    /// `path` "" = no file (memory only).
    KeyCache(std::string path, const std::string& url, const std::string& user);

    /// The cached key, or empty when the file is absent, unreadable, not a regular file owned by
    /// us with mode 0600 (no group/other bits), for another URL/user, or garbage.
    Secret load() const;
    /// Writes the key atomically with mode 0600 (util AtomicFile: temp file beside it, fsync,
    /// rename, directory fsync).
    /// Returns "" on success, else why not (the caller logs it; the key stays in memory).
    std::string store(const Secret& key) const;
    /// Removes the file if it exists (a rejected key). Errors are ignored.
    void remove() const;
    const std::string& path() const { return m_path; }

  private:
    std::string m_path;
    std::string m_binding;
};

} // namespace certagent::api::detail
