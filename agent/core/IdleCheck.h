#pragma once

// The idle run: what lets certagent skip a certificate with nothing to do by stat(2) alone, and
// the daily check that replaces re-parsing every certificate every day. IdleCheck.cpp lists the
// risks and which check covers each.

#include "core/RunContext.h"
#include "store/Index.h"
#include "util/FileStamp.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

namespace certagent::core {

/// How often each certificate gets its daily check (the web server probed).
constexpr std::time_t kDailyCheckEvery = 86400;

/// The live files' content is re-read and compared with the verified digest for the
/// 1/kRereadSpread of the certificates read longest ago (at most once a day each): with a
/// twice-daily timer every certificate about once a week, spread evenly over the runs.
constexpr std::size_t kRereadSpread = 14;

/// First 16 bytes of SHA-256 over a version's four files (the content identity in the index).
using ContentDigest = std::array<std::uint8_t, 16>;

/// For config::loadConfig (`run`): vouches for a certificate file whose stamp the index recorded
/// (with certagent.conf unchanged), so an unchanged file is not even read. Reads
/// <store>/index into `index` on first use; `index` must outlive the loading. `now`: the run's
/// clock (RunContext::now), for the racy-stamp rule of util/FileStamp.h.
config::KnownCertFile knownFromIndex(
    store::Index& index, std::function<std::time_t()> now = [] { return std::time(nullptr); });

/// What holds for every certificate of one run.
struct RunFacts {
    std::time_t now = 0;
    std::string gate;           ///< crypto::gateRevision() now
    std::string trust;          ///< crypto::trustStamp() now ("" = too fresh to prove anything)
    bool verdictsValid = false; ///< the index's gate verdicts were made under this gate and trust
    FileStamp main;             ///< certagent.conf now (recordable)
    bool mainSame = false;      ///< certagent.conf is the one the index's decisions were made with
};

/// The run's facts, compared with the index's header. Never throws.
RunFacts runFacts(const RunContext& ctx, const store::Index& index);

/// Writes the run's facts into the index header (after the run recorded its entries); when they
/// differ, entries this run did not record lose their verdict or decision.
void recordRunFacts(const RunFacts& facts, store::Index& index);

/// The four live files (cert, chain, fullchain, privkey) of `name` as stat(2) sees them now.
struct LiveNow {
    std::optional<int> version; ///< where live/NAME points; nullopt: nothing (or no version) live
    std::uint64_t files = 0;    ///< combined stamps; 0 = a file is missing or too fresh to trust
};

/// One readlink and four stats. Never throws.
LiveNow liveNow(const store::Store& store, const std::string& name, std::time_t now);

/// The digest of the four files' texts (cert, chain, fullchain, privkey, in that order).
ContentDigest contentDigest(const std::string& cert, const std::string& chain,
                            const std::string& fullchain, const std::string& key);

/// Reads the four live files and digests them; nullopt if one is missing or unreadable.
std::optional<ContentDigest> liveContent(const store::Store& store, const std::string& name);

/// True when `entry`'s content digest still describes the live files: their stamps are the
/// recorded ones, or (stamps changed, e.g. after `cp -a`, or `entry.rereadNow`) their content
/// digests to the recorded one — then the new stamps and the time of the read (`at`) are
/// recorded in `entry` and the index marked changed. Never throws.
bool liveContentSame(const store::Store& store, store::Index& index, store::IndexEntry& entry,
                     const LiveNow& now, std::time_t at);

/// Marks (IndexEntry::rereadNow) the entries whose content this run re-reads: those not read
/// for a day, oldest first, at most ceil(size / kRereadSpread) of them.
void chooseRereads(store::Index& index, std::time_t now);

/// The daily check of `entry` is due (a day since the last one, or the clock went back).
bool dailyDue(const store::IndexEntry& entry, std::time_t now);

/// The gate's verdict recorded in `entry` still holds for version `version` at `now`: made under
/// today's gate and trust anchors, nothing on the chain expired since, the content unchanged.
bool verdictHolds(const RunFacts& facts, const store::IndexEntry& entry, int version);

/// The fast path of one certificate: true when it is idle (nothing to do, nothing to write but
/// index facts), from stat(2) of its live files and the facts in `entry`. `configUnchanged`:
/// its certs.d file has the recorded stamp; `stateUnchanged`: so has its state file. Re-reads the
/// content when chosen; does the daily check when it falls and there is no web server to probe.
/// False: run it in full.
bool idleCheck(const RunContext& ctx, const RunFacts& facts, store::Index& index,
               store::IndexEntry& entry, bool configUnchanged, bool stateUnchanged);

} // namespace certagent::core
