#pragma once

#include "store/CertState.h"
#include "util/FileStamp.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace certagent::store {

/// What the index remembers about one certificate: the outcome of the last full look at it and
/// the stamps of the files that outcome was read from. A cache: every fact is used only while
/// the stamps of its files of record still match (core/IdleCheck.h says which check covers
/// which risk).
struct IndexEntry {
    std::string name;
    FileStamp config;        ///< certs.d/NAME.conf when `domains`, `installer` were read
    std::string domains;     ///< configured names, comma-joined (overlap check without parsing)
    FileStamp state;         ///< state/NAME.json when `phase` ... `quiet` were read
    std::uint64_t files = 0; ///< combined stamps of the four live files (0 = unknown)
    std::array<std::uint8_t, 16> content{}; ///< SHA-256 over their contents, first 16 bytes
    std::time_t notBefore = 0;              ///< live leaf
    std::time_t notAfter = 0;               ///< live leaf
    std::time_t chainNotAfter = 0;          ///< earliest notAfter of the rest of the verified path
    std::time_t renewAt = 0;                ///< when the leaf becomes due (renew_before applied)
    std::time_t verified = 0;               ///< last pass of the live files through the gate
    std::time_t checked = 0;                ///< last daily check
    std::time_t reread = 0;                 ///< last read of the live files' content
    std::time_t probed = 0;                 ///< last look at what the web server serves
    std::time_t lastSuccess = 0;            ///< from the state (metrics)
    std::time_t lastFailure = 0;            ///< from the state (metrics)
    std::time_t ariRenewAt = 0;             ///< the state's ARI chosen time, 0 = none (metrics)
    int version = 0;                        ///< live version the facts belong to; 0 = nothing live
    Phase phase = Phase::Idle;              ///< from the state (metrics)
    std::uint8_t installer = 0;             ///< config::InstallerKind as a number (0 = none)
    std::uint8_t served = 0;                ///< kServedUnknown / kServedLive / kServedOther
    bool quiet = false;  ///< the state asks for nothing: no order, backoff, failure, redeploy
    bool notDue = false; ///< the last full decision over these facts: not due before renewAt
    bool hasContent = false;
    bool fresh = false;     ///< recorded by this run (not written to the file)
    bool rereadNow = false; ///< chosen for this run's content re-read (not written to the file)

    static constexpr std::uint8_t kServedUnknown = 0;
    static constexpr std::uint8_t kServedLive = 1;
    static constexpr std::uint8_t kServedOther = 2;
};

/// True if `a` and `b` hold the same facts (`fresh` aside).
bool sameEntry(const IndexEntry& a, const IndexEntry& b);

/// Receives one-line warnings (a corrupt index). May be empty.
using IndexWarning = std::function<void(const std::string&)>;

/// <store>/index: one line per certificate, written atomically and only when something changed.
/// A missing, corrupt or foreign file reads as empty (then every certificate takes the full path
/// once and the index is written anew); it is never trusted over the files of record.
class Index {
  public:
    /// What the whole store's facts depend on besides each certificate's files.
    struct Header {
        std::string gate;  ///< gate rules in force (crypto::gateRevision()); change: re-verify all
        FileStamp main;    ///< certagent.conf when the entries' decisions were made
        std::string trust; ///< trust anchors' stamp (crypto::trustStamp()); change: re-verify all
    };

    Index() = default;
    /// Reads `path`; see the class comment. Throws nothing.
    static Index load(const std::string& path, const IndexWarning& warn = {});

    Header header;

    /// The entry of `name`, nullptr if none.
    IndexEntry* find(const std::string& name);
    const IndexEntry* find(const std::string& name) const;
    /// The entry of `name`, created empty if missing (marks the index changed).
    IndexEntry& entry(const std::string& name);
    /// Keeps only the entries named in `names` (sorted); others are dropped (marks changed).
    void retain(const std::vector<std::string>& names);
    /// The deploy hook recorded for `name` ("" = none); kept apart (few certificates have one).
    const std::string& deployHook(const std::string& name) const;
    void setDeployHook(const std::string& name, const std::string& hook);

    /// Marks the index as changed (write() will write it).
    void touch() { m_changed = true; }
    bool changed() const { return m_changed; }
    std::size_t size() const { return m_entries.size(); }
    /// Every entry, sorted by name (to invalidate them; entry() may move them).
    std::vector<IndexEntry>& entries() { return m_entries; }

    /// Writes the index to `path` atomically (temp file, fsync, rename) if it changed, mode 0600.
    /// Entries whose text would not survive the format (a tab or line break in a value) are left
    /// out. Throws IoError.
    void write(const std::string& path);

  private:
    std::vector<IndexEntry> m_entries; ///< sorted by name
    std::map<std::string, std::string> m_hooks;
    bool m_changed = false;
};

} // namespace certagent::store
