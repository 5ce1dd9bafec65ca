#include "core/Discovery.h"

#include "core/CertFileDraft.h"
#include "core/InstallerFor.h"
#include "crypto/CertFacts.h"
#include "crypto/Gate.h"
#include "crypto/Keys.h"
#include "crypto/ServerFiles.h"
#include "util/Error.h"
#include "util/FileBackup.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <map>
#include <unistd.h>

namespace certagent::core {

namespace {

/// NAME when `file` lies in <store>/live/NAME/ (a certagent certificate), else "".
std::string managingCertificate(const std::string& storeDir, const std::string& file) {
    const std::string prefix = storeDir + "/live/";
    if (file.compare(0, prefix.size(), prefix) != 0)
        return {};
    std::string rest = file.substr(prefix.size());
    std::string::size_type slash = rest.find('/');
    return slash == std::string::npos || slash == 0 ? std::string() : rest.substr(0, slash);
}

void readFacts(ServedCertificate& out, const std::vector<crypto::X509Ptr>& certs,
               const std::string& trustCaFile, std::time_t now) {
    crypto::CertFacts facts = crypto::certFacts(*certs.front());
    std::time_t notAfter = std::chrono::system_clock::to_time_t(facts.notAfter);
    out.subject = facts.subject;
    out.issuer = facts.issuer;
    out.notAfter = formatIsoUtc(notAfter);
    out.daysLeft = (notAfter - now) / 86400;
    out.keyType = crypto::keyTypeOfCert(*certs.front());
    out.names = facts.names;
    try {
        crypto::verifyServerChain(certs, trustCaFile, std::chrono::system_clock::from_time_t(now));
    } catch (const crypto::GateError& e) {
        out.chainProblem = e.what();
    }
}

/// `key =` for the certificate that takes over what `placements` serve: the type of the first
/// readable certificate served there, or the nearest one certagent makes (noted).
std::string keyTypeServed(const RunContext& ctx, const std::vector<ServedName>& placements,
                          std::vector<std::string>& notes) {
    for (const ServedName& p : placements) {
        ServedCertificate served =
            readServedCertificate(p.certFile, ctx.config.trustCaFile, ctx.now());
        if (!served.problem.empty())
            continue;
        try {
            return crypto::keyTypeName(crypto::parseKeyType(served.keyType));
        } catch (const ConfigError&) {
            std::string nearest = served.keyType.rfind("rsa-", 0) == 0 ? "rsa-2048" : "ec-p256";
            notes.push_back("the certificate served now has a " + served.keyType +
                            " key, which certagent does not make; key = " + nearest);
            return nearest;
        }
    }
    notes.push_back("no readable certificate is served for these names; key = ec-p256");
    return "ec-p256";
}

/// Installer::discover for the draft: the blocks a deploy would edit, or the plugin's refusal
/// (ConfigError naming the fix). Asked again with the key type served there, which decides the
/// pair of a block with an RSA and an ECDSA certificate.
std::vector<ServedName> askServer(RunContext& ctx, Installer& installer, CertFileDraft& draft) {
    draft.cert.keyType = "ec-p256";
    installer.discover(deployTargetFor(ctx, draft.cert));
    std::vector<ServedName> placements = installer.placements();
    std::string served = keyTypeServed(ctx, placements, draft.notes);
    if (served != draft.cert.keyType) {
        draft.cert.keyType = served;
        installer.discover(deployTargetFor(ctx, draft.cert));
        placements = installer.placements();
    }
    return placements;
}

/// `webroot = auto` needs a plain-HTTP block for each name; say so now rather than at the order.
void addWebrootNotes(Installer& installer, CertFileDraft& draft) {
    if (draft.cert.dcv != config::DcvMethod::Http)
        return;
    for (const std::string& domain : draft.cert.domains) {
        std::string problem;
        try {
            if (!installer.webrootFor(domain))
                problem = "no plain-HTTP block with a document root serves it";
        } catch (const Error& e) {
            problem = e.what();
        }
        if (!problem.empty())
            draft.notes.push_back("webroot = auto finds no web root for " + domain + " (" +
                                  problem + "); add one or set webroot = /path");
    }
}

} // namespace

ServedCertificate readServedCertificate(const std::string& file, const std::string& trustCaFile,
                                        std::time_t now) {
    ServedCertificate out;
    if (file.empty()) {
        out.problem = "no certificate file configured";
        return out;
    }
    try {
        std::vector<crypto::X509Ptr> certs =
            crypto::certsFromServerPem(snapshotFile(file).content, file);
        readFacts(out, certs, trustCaFile, now);
    } catch (const ConfigError&) {
        throw; // [trust] ca_file: every file would fail the same way
    } catch (const Error& e) {
        out.problem = e.what();
    }
    return out;
}

std::vector<config::InstallerKind> serversToDiscover(const config::Config& config,
                                                     std::optional<config::InstallerKind> only) {
    if (only)
        return {*only};
    std::vector<config::InstallerKind> kinds;
    for (auto kind : {config::InstallerKind::Nginx, config::InstallerKind::Apache}) {
        const config::ServerSettings& server =
            kind == config::InstallerKind::Nginx ? config.nginx : config.apache;
        if (::access(server.binary.c_str(), X_OK) == 0)
            kinds.push_back(kind);
    }
    if (kinds.empty())
        throw ConfigError("discover: neither " + config.nginx.binary + " ([nginx] binary) nor " +
                          config.apache.binary +
                          " ([apache] binary) is installed; set the one your server uses");
    return kinds;
}

std::vector<DiscoveredName> discoverServed(RunContext& ctx, config::InstallerKind kind) {
    std::unique_ptr<Installer> installer = makeInstaller(ctx, kind);
    std::map<std::string, ServedCertificate> files; // many names share one certificate file
    std::vector<DiscoveredName> out;
    for (const ServedName& served : installer->inventory()) {
        auto it = files.find(served.certFile);
        if (it == files.end())
            it = files
                     .emplace(
                         served.certFile,
                         readServedCertificate(served.certFile, ctx.config.trustCaFile, ctx.now()))
                     .first;
        out.push_back(DiscoveredName{config::installerName(kind), served, it->second,
                                     managingCertificate(ctx.config.storeDir, served.certFile)});
    }
    return out;
}

WrittenCertFile writeCertFile(RunContext& ctx, const CertFileRequest& request) {
    CertFileDraft draft = checkedDraft(ctx.config, request);
    std::unique_ptr<Installer> installer = makeInstaller(ctx, draft.cert.installer);
    std::vector<ServedName> placements = askServer(ctx, *installer, draft);
    addWebrootNotes(*installer, draft);
    std::string text = draftText(draft, placements, ctx.store.liveDir(draft.cert.name), ctx.now());
    WrittenCertFile out;
    out.path = ctx.config.certsDir + "/" + draft.cert.name + ".conf";
    out.cert = publishDraft(ctx.config, draft.cert.name, text);
    out.notes = draft.notes;
    return out;
}

std::string servedLine(const ServedName& served) {
    return (served.name.empty() ? std::string("(any other name)")
                                : escapeForLog(served.name, 256)) +
           " on " + escapeForLog(served.address, 80) + ": " + escapeForLog(served.block, 300) +
           " (" + escapeForLog(served.why, 200) + ")";
}

std::vector<ServedName> servedBy(RunContext& ctx, const config::CertConfig& cert) {
    std::unique_ptr<Installer> installer = makeInstallerFor(ctx, cert);
    if (!installer)
        return {};
    installer->discover(deployTargetFor(ctx, cert));
    return installer->placements();
}

} // namespace certagent::core
