#pragma once

#include "store/CertState.h"
#include "store/VersionMeta.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certagent::store {

/// The PEM texts of one version plus its facts. The caller has verified them (crypto gate).
struct VersionFiles {
    std::string privkeyPem;
    std::string certPem;
    std::string chainPem;
    std::string fullchainPem;
    VersionMeta meta; ///< `files` and (if empty) `createdAt` are filled in by writeVersion
};

/// What <store>/live/NAME is.
struct LiveLink {
    bool present = false;       ///< there is an entry live/NAME
    std::string target;         ///< the symlink's text ("" for an entry that is not a symlink)
    std::optional<int> version; ///< set when target is ../archive/NAME/NNNN
};

/// Receives one-line warnings (corrupt state file, odd symlink, ...). May be empty.
using WarningSink = std::function<void(const std::string&)>;

/// The versioned certificate store of README "Files on disk" (ARCHITECTURE.md says what a renewal
/// writes when):
///   <dir>/live/NAME -> ../archive/NAME/0007   (relative symlink, swapped with rename(2))
///   <dir>/archive/NAME/NNNN/{privkey.pem 0600, cert.pem, chain.pem, fullchain.pem, meta.json 0644}
///   <dir>/state/NAME.json, <dir>/pending/NAME/privkey.pem (0600), <dir>/lock
/// Directory modes: <dir>, live 0755; archive, archive/NAME, versions, state, pending,
/// pending/NAME 0700 (root reads them; consumers use hooks).
/// Every name is checked against ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ (no ".."): ConfigError.
/// Filesystem failures throw IoError (exit 7) naming the file; nothing live changes then.
/// Not thread-safe; take StoreLock around a run.
class Store {
  public:
    /// Files of a complete version, in write order.
    static const std::vector<std::string>& versionFileNames();

    Store(std::string dir, int keepVersions, WarningSink warn = {});

    const std::string& dir() const { return m_dir; }
    int keepVersions() const { return m_keepVersions; }
    /// <dir>/lock
    std::string lockPath() const;

    /// Creates the directories with the modes above. Refuses with IoError (exit 7, naming the fix)
    /// a store, or a directory in or above it, that others can write to: what was planted there
    /// would be trusted, so it is not "repaired" and used. Refuses symlinks or foreign owners
    /// below the store; tightens other wrong modes. Call once per run before anything else.
    void ensureLayout();

    // --- versions -------------------------------------------------------------------------

    /// Writes a complete new version (temp dir in archive/NAME, every file fsynced with its
    /// final mode, dir fsynced, renamed to its 4-digit number). Cleans leftover ".tmp-*" dirs
    /// first. Returns the new number; it is NOT live yet. Throws IoError and leaves no temp
    /// files on failure.
    int writeVersion(const std::string& name, const VersionFiles& files);

    /// Points live/NAME at archive/NAME/<version> atomically (temp symlink + rename, parent
    /// fsynced). Throws IoError if the version is not complete or the switch fails (then the
    /// old link is unchanged).
    void switchLive(const std::string& name, int version);

    /// The version live/NAME points at, nullopt if there is no such link or it is not of the
    /// form ../archive/NAME/NNNN (warned).
    std::optional<int> liveVersion(const std::string& name) const;

    /// What live/NAME is, without warnings (Recovery decides what to do with a foreign one).
    LiveLink liveLink(const std::string& name) const;

    /// The highest complete version below the live one (nullopt if none or nothing live).
    std::optional<int> previousVersion(const std::string& name) const;

    /// All complete versions of NAME, ascending.
    std::vector<int> versions(const std::string& name) const;

    /// True if archive/NAME/<version> holds all four PEM files and meta.json.
    bool isComplete(const std::string& name, int version) const;

    /// Switches live back to previousVersion() and returns it. Throws RefusedError if there is
    /// no previous version, IoError if the switch fails.
    int rollback(const std::string& name);

    /// Removes the oldest versions so that at most keepVersions remain, never the live version
    /// or its predecessor; also removes leftover ".tmp-*" dirs. Returns the removed numbers.
    /// Failures to remove are warned, never thrown.
    std::vector<int> prune(const std::string& name);

    /// <dir>/live/NAME (the path server configs reference).
    std::string liveDir(const std::string& name) const;
    /// <dir>/archive/NAME/NNNN
    std::string versionDir(const std::string& name, int version) const;
    /// meta.json of the live version; nullopt (warned if corrupt) if none.
    std::optional<VersionMeta> liveMeta(const std::string& name) const;
    /// meta.json of a version; nullopt (warned if corrupt) if none.
    std::optional<VersionMeta> versionMeta(const std::string& name, int version) const;

    /// Cheap idle check: stat(2) of each live file (through the link) equals the inode/size/
    /// mtime/mode recorded in the live meta.json. False if anything is missing or differs.
    bool liveFilesUnchanged(const std::string& name) const;

    /// Names that have a live link, an archive dir, a state file or a pending key (sorted).
    std::vector<std::string> names() const;

    // --- state files ----------------------------------------------------------------------

    /// Text of state/NAME.json; nullopt if missing, or if empty/corrupt/not a JSON object
    /// (then a warning is emitted and the file is left alone). Throws IoError only if the
    /// state directory itself is unreadable.
    std::optional<std::string> readState(const std::string& name) const;
    /// Writes state/NAME.json atomically (temp + fsync + rename + dir fsync), mode 0600.
    /// `json` must be a JSON object (else Error, exit 1). Throws IoError.
    void writeState(const std::string& name, const std::string& json);
    /// readState + CertState::fromJson; wrong field types are warned and treated as missing.
    std::optional<CertState> loadState(const std::string& name) const;
    /// writeState(state.toJson()).
    void saveState(const std::string& name, const CertState& state);
    /// Removes state/NAME.json if present. Throws IoError.
    void removeState(const std::string& name);

    // --- pending keys ---------------------------------------------------------------------

    /// Writes pending/NAME/privkey.pem atomically with mode 0600 (dir 0700). Throws IoError.
    void writePendingKey(const std::string& name, const std::string& pem);
    /// The pending key, nullopt if none. Throws IoError if unreadable.
    std::optional<std::string> readPendingKey(const std::string& name) const;
    bool hasPendingKey(const std::string& name) const;
    /// Removes the pending key (and its directory). Missing is fine. Throws IoError.
    void removePendingKey(const std::string& name);
    /// pending/NAME/privkey.pem
    std::string pendingKeyPath(const std::string& name) const;

    /// Throws ConfigError unless `name` passes util/CertName.h's isValidCertName (the rule config
    /// applies at load).
    static void checkName(const std::string& name);

  private:
    std::string archiveDir(const std::string& name) const;
    std::string statePath(const std::string& name) const;
    void warn(const std::string& message) const;
    void cleanTempDirs(const std::string& name) const;
    std::vector<int> allVersionDirs(const std::string& name) const;
    std::optional<VersionMeta> readMeta(const std::string& path) const;

    std::string m_dir;
    int m_keepVersions;
    WarningSink m_warn;
};

} // namespace certagent::store
