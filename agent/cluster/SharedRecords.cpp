#include "cluster/SharedRecords.h"

#include "cluster/Envelope.h"
#include "core/DcvFile.h"
#include "crypto/Digest.h"
#include "crypto/OpenSslError.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::cluster::detail {

namespace {

constexpr char kSeparator = '\x1e'; ///< between the parts of a sealed payload; never in PEM/JSON

std::string hex(const std::string& raw) {
    return crypto::hexEncode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), false);
}

/// Splits a sealed payload into its parts, each copied once at its final size (so no freed
/// buffer keeps key bytes); the pieces are wiped by their holders.
std::vector<std::string> parts(const std::string& payload) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = payload.find(kSeparator, start);
        out.push_back(payload.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos || out.size() > 3)
            return out;
        start = end + 1;
    }
}

core::Challenge::Kind kindOf(const std::string& word) {
    if (word == "dns-record")
        return core::Challenge::Kind::DnsRecord;
    if (word == "email")
        return core::Challenge::Kind::Email;
    return core::Challenge::Kind::HttpFile;
}

const char* wordOf(core::Challenge::Kind kind) {
    switch (kind) {
    case core::Challenge::Kind::DnsRecord:
        return "dns-record";
    case core::Challenge::Kind::Email:
        return "email";
    case core::Challenge::Kind::HttpFile:
        break;
    }
    return "http-file";
}

ChallengeRecord recordOf(const core::Challenge& c) {
    ChallengeRecord r;
    r.kind = wordOf(c.kind);
    r.domain = c.domain;
    if (c.kind == core::Challenge::Kind::HttpFile) {
        r.dir = core::wellKnownName(c.dir);
        r.fileName = c.fileName;
        r.content = c.content;
    }
    r.dnsName = c.dnsName;
    r.dnsType = c.dnsType;
    r.dnsValue = c.dnsValue;
    r.email = c.email;
    return r;
}

/// A challenge other hosts will serve: one of the certificate's names, a plain file name and
/// inert content, whoever wrote it.
core::Challenge challengeOf(const ChallengeRecord& r, const std::string& path,
                            const std::vector<std::string>& domains) {
    auto refuse = [&](const std::string& why) {
        throw RecordError("etcd record " + escapeForLog(path, 200) + ": challenge for \"" +
                          escapeForLog(r.domain, 80) + "\": " + why);
    };
    if (std::find(domains.begin(), domains.end(), r.domain) == domains.end())
        refuse("not a name of the certificate");
    core::Challenge c;
    c.kind = kindOf(r.kind);
    c.domain = r.domain;
    c.dnsName = r.dnsName;
    c.dnsType = r.dnsType;
    c.dnsValue = r.dnsValue;
    c.email = r.email;
    if (c.kind != core::Challenge::Kind::HttpFile)
        return c;
    c.dir = r.dir == "acme-challenge" ? core::WellKnownDir::AcmeChallenge
                                      : core::WellKnownDir::PkiValidation;
    if (!core::validDcvFileName(c.dir, r.fileName))
        refuse("not a plain validation file name");
    bool inert = !r.content.empty() && r.content.size() <= 600 &&
                 std::all_of(r.content.begin(), r.content.end(), [](char ch) {
                     return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' ||
                            ch == '_' || ch == '-' || ch == '\r' || ch == '\n';
                 });
    if (!inert)
        refuse("content is not a few plain lines");
    c.fileName = r.fileName;
    c.content = r.content;
    return c;
}

store::Phase phaseOf(const std::string& word, const std::string& path) {
    for (auto p : {store::Phase::Idle, store::Phase::Ordering, store::Phase::Validating,
                   store::Phase::Issued, store::Phase::Installed, store::Phase::Failed})
        if (word == store::phaseName(p))
            return p;
    throw RecordError("etcd record " + escapeForLog(path, 200) + ": phase: unknown word \"" +
                      escapeForLog(word, 40) + "\"");
}

} // namespace

bool orderInProgress(const std::string& phase) {
    return phase == "ordering" || phase == "validating" || phase == "issued";
}

std::string settingOf(const core::FleetCert& cert, const std::string& setting) {
    for (const auto& [name, value] : cert.settings)
        if (name == setting)
            return value;
    return "";
}

ConfigPrint configPrint(const core::FleetCert& cert) {
    ConfigPrint print;
    std::string all;
    for (const auto& [name, value] : cert.settings) {
        std::string line = name + "=" + value + "\n";
        print.fields[name] = hex(crypto::sha256(line, "settings print")).substr(0, 16);
        all += line;
    }
    print.full = hex(crypto::sha256(all, "settings print"));
    return print;
}

std::string differingSetting(const ConfigPrint& ours, const std::string& full,
                             const std::map<std::string, std::string>& fields) {
    if (full.empty() || full == ours.full)
        return "";
    for (const auto& [name, value] : ours.fields) {
        auto it = fields.find(name);
        if (it == fields.end() || it->second != value)
            return name;
    }
    return "settings";
}

VersionFacts factsOf(const store::VersionMeta& meta) {
    VersionFacts f;
    if (meta.order.backend == "gogetssl" && !meta.order.id.empty() && meta.order.id.size() <= 15 &&
        meta.order.id.find_first_not_of("0123456789") == std::string::npos)
        f.orderId = std::stoll(meta.order.id);
    else
        f.orderRef = meta.order.id;
    f.serial = meta.serial;
    f.sha256 = meta.sha256;
    f.notBefore = meta.notBefore;
    f.notAfter = meta.notAfter;
    f.names = meta.names;
    f.keyType = meta.keyType;
    f.createdAt = meta.createdAt.empty() ? formatIsoUtc(std::time(nullptr)) : meta.createdAt;
    return f;
}

std::string sealSet(const FleetKeyRing& keys, const KeyPaths& paths, const std::string& path,
                    const store::VersionFiles& files) {
    std::string payload;
    payload.reserve(files.privkeyPem.size() + files.certPem.size() + files.chainPem.size() + 2);
    payload.append(files.privkeyPem).append(1, kSeparator).append(files.certPem);
    payload.append(1, kSeparator).append(files.chainPem);
    std::string sealed = sealEnvelope(keys.current, payload, paths.aad(path));
    wipe(payload);
    return sealed;
}

core::PublishedSet openSet(const FleetKeyRing& keys, const KeyPaths& paths, const std::string& path,
                           const VersionRecord& record) {
    Secret payload = openEnvelope(keys, record.sealed, paths.aad(path), path);
    std::vector<std::string> pieces = parts(payload.reveal());
    if (pieces.size() != 3) {
        for (auto& p : pieces)
            wipe(p);
        throw RecordError("etcd record " + escapeForLog(path, 200) +
                          ": sealed: not a key, a certificate and a chain");
    }
    core::PublishedSet set;
    set.keyPem = Secret(std::move(pieces[0]));
    set.certPem = pieces[1];
    set.chainPem = pieces[2];
    const VersionFacts& m = record.meta;
    set.order = m.orderId > 0 ? store::OrderRef{"gogetssl", std::to_string(m.orderId)}
                              : store::OrderRef{m.orderRef.empty() ? "" : "acme", m.orderRef};
    return set;
}

OrderRecord clearOrderRecord(const core::SharedOrder& order) {
    OrderRecord r;
    r.phase = store::phaseName(order.phase);
    r.backend = order.order.backend;
    r.orderRef = order.order.id;
    r.csr = order.csrPem;
    r.attempts = order.attempts;
    r.consecutiveFailures = order.consecutiveFailures;
    r.pendingSince = order.pendingSince;
    r.backoffUntil = order.backoffUntil;
    r.lastStatus = order.lastStatus.substr(0, 256);
    r.lastError = order.lastError.substr(0, 4096);
    r.checkRequested = order.checkRequested;
    return r;
}

std::string orderSecrets(const core::SharedOrder& order) {
    if (order.keyPem.empty() && order.challenges.empty())
        return "";
    std::vector<ChallengeRecord> challenges;
    for (const auto& c : order.challenges)
        challenges.push_back(recordOf(c));
    const std::string json = challengesToJson(challenges);
    std::string out;
    out.reserve(order.keyPem.reveal().size() + 1 + json.size());
    out.append(order.keyPem.reveal()).append(1, kSeparator).append(json);
    return out;
}

core::SharedOrder sharedOrderOf(const OrderRecord& record, const FleetKeyRing& keys,
                                const KeyPaths& paths, const std::string& path,
                                const std::vector<std::string>& domains) {
    core::SharedOrder o;
    o.phase = phaseOf(record.phase, path);
    o.order = store::OrderRef{record.backend, record.orderRef};
    o.csrPem = record.csr;
    o.attempts = record.attempts;
    o.consecutiveFailures = record.consecutiveFailures;
    o.pendingSince = record.pendingSince;
    o.backoffUntil = record.backoffUntil;
    o.lastStatus = record.lastStatus;
    o.lastError = record.lastError;
    o.checkRequested = record.checkRequested;
    if (record.sealedKey.empty())
        return o;
    Secret payload = openEnvelope(keys, record.sealedKey, paths.aad(path), path);
    std::vector<std::string> pieces = parts(payload.reveal());
    if (pieces.size() != 2) {
        for (auto& p : pieces)
            wipe(p);
        throw RecordError("etcd record " + escapeForLog(path, 200) +
                          ": sealedKey: not a key and challenges");
    }
    o.keyPem = Secret(std::move(pieces[0]));
    for (const auto& c : parseChallenges(pieces[1], path))
        o.challenges.push_back(challengeOf(c, path, domains));
    return o;
}

std::vector<std::string> challengePaths(const std::vector<core::Challenge>& challenges) {
    std::vector<std::string> out;
    for (const auto& c : challenges)
        if (c.kind == core::Challenge::Kind::HttpFile)
            out.push_back("/.well-known/" + std::string(core::wellKnownName(c.dir)) + "/" +
                          c.fileName);
    return out;
}

} // namespace certagent::cluster::detail
