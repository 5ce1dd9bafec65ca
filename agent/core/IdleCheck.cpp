#include "core/IdleCheck.h"

#include "core/RunSupport.h"
#include "crypto/Digest.h"
#include "crypto/Pem.h"
#include "crypto/TrustStamp.h"
#include "util/Error.h"
#include "util/FileIo.h"
#include "util/Secret.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

// What each check of a live certificate guards against, and how often it runs.
//
// Every run (the fast path, stat(2) only):
//  - the certificate file changed (names, key type, installer): lstat of certs.d/NAME.conf
//    against the recorded stamp; any change takes the full path, which re-reads the file.
//  - certagent.conf changed (renew_before, trust, contacts): its stamp in the index header.
//  - the state changed (an order, a failure, another tool): stat of state/NAME.json.
//  - another version went live (rollback, install by hand): the live link's target.
//  - a live file was rewritten, replaced or removed (an admin, a restore, a broken disk
//    replaced): stat of the four live files, size + mtime + ctime. ctime cannot be set from
//    user space, so even a rewrite that keeps size and mtime is seen; a stamp taken within
//    kRacySeconds of the file's change is not trusted. A changed stamp re-reads the content:
//    unchanged content (a copy of the store) only re-records the stamps, changed content is
//    re-verified by the gate.
//  - the leaf becomes due: its recorded renewal time.
//  - the leaf, an intermediate or the root expires: the earliest notAfter on the verified path,
//    recorded when the gate passed; reaching it re-runs the gate, which refuses the expired
//    certificate and makes the certificate due.
//  - a changed trust store (a root removed by a `ca-certificates` update, [trust] ca_file
//    replaced): the trust anchors' stamps in the index header; a change re-runs the gate for
//    every certificate. The same for a new gate revision or OpenSSL version.
//  - a key that no longer matches: the key is a live file (above); the gate compares it with
//    the leaf whenever the content changed.
// Daily (kDailyCheckEvery after the last one, per certificate):
//  - a web server that serves something else than the live version (a hand edit, a restore of
//    its configuration, a restart from an old one): probed through the installer (CertRunner).
// Spread over runs (chooseRereads: the 1/kRereadSpread read longest ago, each at most daily;
// about weekly with a twice-daily timer):
//  - content that changed behind unchanged stamps (a disk error, a clock set back while
//    writing): the four files are read and digested again; a difference runs the gate.
// Not re-parsed periodically: every input of the gate's verdict (the file contents, the trust
// anchors, the gate's rules and the clock against the recorded expiry dates) is covered above.

namespace certagent::core {

namespace {

const char* const kLiveFiles[] = {"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"};

/// FNV-1a over the stamps' numbers: one value that changes when any stamp does.
struct StampHash {
    std::uint64_t value = 1469598103934665603ULL;
    void add(long long n) {
        for (int i = 0; i < 8; ++i) {
            value ^= static_cast<std::uint64_t>(n >> (8 * i)) & 0xff;
            value *= 1099511628211ULL;
        }
    }
};

/// Reads a live file for the daily digest with the fewest system calls (open, read until the end,
/// close); false if it is missing, not a regular file (a FIFO answers EAGAIN, a directory EISDIR,
/// a symlink ELOOP) or larger than a PEM file may be.
bool readLiveFile(const std::string& path, std::string& out) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid())
        return false;
    constexpr std::size_t kChunk = 8 * 1024;
    std::size_t have = 0;
    for (;;) {
        out.resize(have + kChunk); // read straight into `out`: the caller wipes it
        ssize_t n = ::read(fd.get(), &out[have], kChunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || have + static_cast<std::size_t>(n) > crypto::kMaxPemBytes)
            return false;
        have += static_cast<std::size_t>(n);
        if (n == 0)
            break;
    }
    out.resize(have);
    return true;
}

/// A clock set back by more than this makes the recorded check times meaningless.
constexpr std::time_t kClockSkew = 300;

} // namespace

config::KnownCertFile knownFromIndex(store::Index& index, std::function<std::time_t()> now) {
    auto mainUnchanged = std::make_shared<std::optional<bool>>();
    return [&index, mainUnchanged, now](const config::Config& config, const std::string& name,
                                        const FileStamp& stamp) -> const std::string* {
        if (!*mainUnchanged) {
            index = store::Index::load(config.storeDir + "/index",
                                       [](const std::string& w) { logger().warning(w); });
            *mainUnchanged = recordable(stampOf(config.path), now()) == index.header.main;
        }
        const store::IndexEntry* entry = index.find(name);
        if (!**mainUnchanged || !entry || stamp != entry->config)
            return nullptr;
        return &entry->domains;
    };
}

RunFacts runFacts(const RunContext& ctx, const store::Index& index) {
    RunFacts facts;
    facts.now = ctx.now();
    facts.gate = crypto::gateRevision();
    facts.trust = crypto::trustStamp(ctx.config.trustCaFile, facts.now);
    facts.verdictsValid = !facts.trust.empty() && facts.trust == index.header.trust &&
                          facts.gate == index.header.gate;
    facts.main =
        ctx.config.path.empty() ? FileStamp{} : recordable(stampOf(ctx.config.path), facts.now);
    facts.mainSame = facts.main == index.header.main;
    return facts;
}

void recordRunFacts(const RunFacts& facts, store::Index& index) {
    bool verdicts = index.header.gate == facts.gate && index.header.trust == facts.trust;
    bool decisions = index.header.main.text() == facts.main.text();
    if (verdicts && decisions)
        return;
    // Entries this run did not record were made under the old header: their verdicts and
    // decisions must not pass for ones made under the new one.
    for (auto& e : index.entries()) {
        if (e.fresh)
            continue;
        if (!verdicts)
            e.verified = 0;
        if (!decisions)
            e.notDue = false;
    }
    index.header.gate = facts.gate;
    index.header.trust = facts.trust;
    index.header.main = facts.main;
    index.touch();
}

LiveNow liveNow(const store::Store& store, const std::string& name, std::time_t now) {
    LiveNow out;
    out.version = store.liveVersion(name);
    if (!out.version)
        return out;
    StampHash hash;
    std::string dir = store.liveDir(name) + "/";
    for (const char* file : kLiveFiles) {
        FileStamp stamp = recordable(stampOf(dir + file), now);
        if (stamp.size < 0)
            return out; // missing, unreadable or too fresh: files stays 0 (matches nothing)
        hash.add(stamp.size);
        hash.add(stamp.mtimeNs);
        hash.add(stamp.ctimeNs);
    }
    out.files = hash.value == 0 ? 1 : hash.value;
    return out;
}

ContentDigest contentDigest(const std::string& cert, const std::string& chain,
                            const std::string& fullchain, const std::string& key) {
    // Lengths first, so no two different sets of files digest alike by shifting bytes across.
    std::string all;
    all.reserve(cert.size() + chain.size() + fullchain.size() + key.size() + 64);
    for (const std::string* text : {&cert, &chain, &fullchain, &key})
        all += std::to_string(text->size()) + ":";
    for (const std::string* text : {&cert, &chain, &fullchain, &key})
        all += *text;
    std::string sum;
    try {
        sum = crypto::sha256(all, "live files");
    } catch (...) {
        wipe(all); // holds the private key
        throw;
    }
    wipe(all);
    ContentDigest out{};
    std::memcpy(out.data(), sum.data(), out.size());
    return out;
}

std::optional<ContentDigest> liveContent(const store::Store& store, const std::string& name) {
    std::string dir = store.liveDir(name) + "/";
    std::string texts[4];
    bool ok = true;
    for (int i = 0; i < 4 && ok; ++i)
        ok = readLiveFile(dir + kLiveFiles[i], texts[i]);
    std::optional<ContentDigest> digest;
    if (ok)
        digest = contentDigest(texts[0], texts[1], texts[2], texts[3]);
    wipe(texts[3]);
    return digest; // nullopt: the full path reports what is wrong
}

bool liveContentSame(const store::Store& store, store::Index& index, store::IndexEntry& entry,
                     const LiveNow& now, std::time_t at) {
    if (!entry.hasContent || !now.version || *now.version != entry.version)
        return false;
    if (!entry.rereadNow && now.files != 0 && now.files == entry.files)
        return true;
    auto content = liveContent(store, entry.name);
    if (!content || *content != entry.content)
        return false;
    // The same files, possibly under new stamps (a copy of the store): record them, skip the gate.
    entry.files = now.files;
    entry.reread = at;
    entry.rereadNow = false;
    index.touch();
    return true;
}

void chooseRereads(store::Index& index, std::time_t now) {
    std::vector<store::IndexEntry*> due;
    for (auto& e : index.entries())
        if (e.hasContent && (now >= e.reread + kDailyCheckEvery || e.reread > now + kClockSkew))
            due.push_back(&e);
    std::size_t budget = (index.size() + kRereadSpread - 1) / kRereadSpread;
    if (due.size() > budget) {
        std::nth_element(due.begin(), due.begin() + static_cast<std::ptrdiff_t>(budget), due.end(),
                         [](const store::IndexEntry* a, const store::IndexEntry* b) {
                             return a->reread < b->reread;
                         });
        due.resize(budget);
    }
    for (store::IndexEntry* e : due)
        e->rereadNow = true;
}

bool dailyDue(const store::IndexEntry& entry, std::time_t now) {
    return now >= entry.checked + kDailyCheckEvery || entry.checked > now + kClockSkew;
}

bool verdictHolds(const RunFacts& facts, const store::IndexEntry& entry, int version) {
    return facts.verdictsValid && entry.verified > 0 && entry.version == version &&
           facts.now < entry.chainNotAfter && entry.verified <= facts.now + kClockSkew;
}

bool idleCheck(const RunContext& ctx, const RunFacts& facts, store::Index& index,
               store::IndexEntry& entry, bool configUnchanged, bool stateUnchanged) {
    if (!configUnchanged || !stateUnchanged || !facts.mainSame || !entry.quiet || !entry.notDue ||
        facts.now >= entry.renewAt)
        return false;
    LiveNow now = liveNow(ctx.store, entry.name, facts.now);
    if (!now.version || !verdictHolds(facts, entry, *now.version))
        return false;
    bool daily = dailyDue(entry, facts.now);
    if (daily && entry.installer != 0)
        return false; // the probe of the web server needs the full path
    if (!liveContentSame(ctx.store, index, entry, now, facts.now))
        return false;
    if (daily) {
        entry.checked = facts.now; // kept in the index only: no state write for a check time
        index.touch();
    }
    return true;
}

} // namespace certagent::core
