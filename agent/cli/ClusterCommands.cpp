#include "cli/Commands.h"
#include "cluster/FleetAdmin.h"
#include "cluster/FleetKey.h"
#include "cluster/FleetRekey.h"
#include "core/CertJob.h"
#include "core/RunSupport.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <iomanip>
#include <iostream>

namespace certagent::cli {

namespace {

const char* const kUsage = "cluster: usage: certagent cluster status [--json] | keygen | "
                           "publish NAME | rollback NAME | leave | rekey";

cluster::EtcdCoordinator& fleetOf(Session& s, const std::string& command) {
    if (!s.fleet())
        throw ConfigError(command + ": this host is in no fleet ([cluster] etcd is not set in " +
                          escapeForLog(s.config().path) + ")");
    return *s.fleet();
}

core::FleetCert fleetCert(Session& s, const config::CertConfig& cert) {
    core::FleetCert fc = core::fleetCertOf(cert, s.context().backends.of(cert).kind());
    fc.replaceSettings = true; // a command a human typed for this certificate
    return fc;
}

/// Takes the certificate's lock for a command, or says who holds it (exit 3).
void leadFor(cluster::EtcdCoordinator& fleet, const core::FleetCert& cert,
             const std::string& command) {
    core::Lead lead = fleet.tryLead(cert);
    if (lead.role == core::Lead::Role::Following)
        throw TemporaryError(command + ": " + lead.holder + " holds " + cert.name +
                             "'s lock; try again when its run is done");
    if (lead.role == core::Lead::Role::Unreachable)
        throw TemporaryError(command + ": cannot reach the fleet: " + lead.problem);
}

/// What this host deploys, for the heartbeat of a reading command.
std::vector<std::pair<std::string, std::string>> deployedHere(Session& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& cert : s.config().certs)
        out.emplace_back(
            cert.name, s.store().loadState(cert.name).value_or(store::CertState{}).deployedSha256);
    return out;
}

void printStatusJson(const cluster::EtcdCoordinator& fleet,
                     const std::vector<cluster::CertStatus>& rows) {
    Poco::JSON::Array certs;
    for (const auto& row : rows) {
        Poco::JSON::Object o;
        o.set("name", row.name);
        o.set("version", row.current ? row.current->version : 0);
        o.set("serial", row.current ? row.current->serial : "");
        o.set("sha256", row.current ? row.current->sha256 : "");
        o.set("not_after", row.current ? row.current->notAfter : "");
        o.set("rollback", row.current && row.current->rollback);
        o.set("phase", row.phase);
        o.set("order", row.orderRef);
        o.set("lock_holder", row.lockHolder);
        bool converged = row.current.has_value();
        Poco::JSON::Array hosts;
        for (const auto& h : row.hosts) {
            Poco::JSON::Object ho;
            ho.set("name", h.name);
            ho.set("last_heartbeat", h.lastHeartbeat ? formatIsoUtc(*h.lastHeartbeat) : "");
            ho.set("deployed", h.deployedSha256);
            ho.set("last_exit", h.lastExit);
            ho.set("converged", h.converged);
            converged = converged && h.converged;
            hosts.add(ho);
        }
        o.set("hosts", hosts);
        o.set("converged", converged);
        if (!row.problem.empty())
            o.set("problem", row.problem);
        certs.add(o);
    }
    Poco::JSON::Object out;
    out.set("cluster", fleet.settings().cluster);
    out.set("host", fleet.settings().host);
    out.set("certificates", certs);
    Poco::JSON::Stringifier::stringify(out, std::cout, 2);
    std::cout << "\n";
}

void printStatusTable(const std::vector<cluster::CertStatus>& rows) {
    std::cout << std::left << std::setw(20) << "NAME" << std::setw(9) << "VERSION" << std::setw(22)
              << "NOT AFTER" << std::setw(12) << "PHASE"
              << "LOCK\n";
    for (const auto& r : rows) {
        std::cout << std::setw(20) << r.name << std::setw(9)
                  << (r.current
                          ? std::to_string(r.current->version) + (r.current->rollback ? "r" : "")
                          : "-")
                  << std::setw(22) << (r.current ? r.current->notAfter : "-") << std::setw(12)
                  << (r.phase.empty() ? "-" : r.phase)
                  << (r.lockHolder.empty() ? "free" : r.lockHolder) << "\n";
        for (const auto& h : r.hosts)
            std::cout << "    " << std::setw(16) << h.name << "seen "
                      << (h.lastHeartbeat ? formatIsoUtc(*h.lastHeartbeat) : "never") << "  "
                      << (h.deployedSha256.empty() ? "nothing deployed"
                                                   : h.deployedSha256.substr(0, 16))
                      << "  " << (h.converged ? "converged" : "NOT converged") << "\n";
        if (!r.problem.empty())
            std::cout << "    problem: " << r.problem << "\n";
    }
}

int statusSub(Session& s, const Args& args) {
    auto& fleet = fleetOf(s, "cluster status");
    std::vector<std::string> names;
    for (const auto& cert : s.config().certs)
        names.push_back(cert.name);
    fleet.beginRun(names);
    cluster::joinFleet(fleet, deployedHere(s));
    auto rows = cluster::readStatus(fleet, names);
    if (s.globals().json || args.has("--json"))
        printStatusJson(fleet, rows);
    else
        printStatusTable(rows);
    return kExitOk;
}

int publishSub(Session& s, const std::string& name) {
    auto& fleet = fleetOf(s, "cluster publish");
    const auto& cert = s.config().cert(name);
    s.lock();
    auto meta = s.store().liveMeta(name);
    if (!meta)
        throw RefusedError("cluster publish: " + name + ": nothing is live on this host");
    auto check = core::inspectLiveFiles(s.store(), s.config(), cert, std::time(nullptr));
    if (!check.ok)
        throw RefusedError("cluster publish: " + name + ": the live files fail: " + check.message);
    std::string dir = s.store().liveDir(name);
    auto read = [&](const char* file) {
        return readFileCapped(dir + "/" + file, 256 * 1024).value_or("");
    };
    store::VersionFiles files{read("privkey.pem"), read("cert.pem"), read("chain.pem"),
                              read("fullchain.pem"), *meta};
    core::FleetCert fc = fleetCert(s, cert);
    fleet.beginRun({name});
    leadFor(fleet, fc, "cluster publish");
    try {
        fleet.publish(fc, files);
    } catch (...) {
        wipe(files.privkeyPem);
        fleet.release(fc);
        throw;
    }
    wipe(files.privkeyPem);
    fleet.release(fc);
    return kExitOk;
}

int rollbackSub(Session& s, const std::string& name, const core::InstallerFactory& installers) {
    auto& fleet = fleetOf(s, "cluster rollback");
    const auto& cert = s.config().cert(name);
    core::FleetCert fc = fleetCert(s, cert);
    fleet.beginRun({name});
    leadFor(fleet, fc, "cluster rollback");
    cluster::CurrentRecord now;
    try {
        now = cluster::rollbackCurrent(fleet, name);
    } catch (...) {
        fleet.release(fc);
        throw;
    }
    fleet.release(fc);
    core::logger().information("cluster rollback: " + name + ": the fleet's current version is " +
                               std::to_string(now.version) + " (serial " + now.serial +
                               "); hosts deploy it on their next run or sync");
    return syncCommand(s.globals(), {"--cert", name}, installers);
}

int leaveSub(Session& s) {
    auto& fleet = fleetOf(s, "cluster leave");
    std::vector<std::string> names;
    for (const auto& cert : s.config().certs)
        names.push_back(cert.name);
    cluster::leaveFleet(fleet, names);
    core::logger().information("cluster leave: " + fleet.settings().host +
                               " no longer counts for the fleet's DCV barrier (until it runs "
                               "again)");
    return kExitOk;
}

int rekeySub(Session& s) {
    auto& fleet = fleetOf(s, "cluster rekey");
    const cluster::FleetKeyRing& keys = fleet.keys();
    const cluster::RekeyReport r = cluster::rekeyFleet(fleet.client(), fleet.paths(), keys);
    const std::string id = keys.current.idHex();
    core::logger().information(
        "cluster rekey: " + std::to_string(r.resealed) + " sealed value(s) in " +
        std::to_string(r.records) + " record(s) sealed again under fleet_key (id " + id + "); " +
        std::to_string(r.current) + " already were" +
        (keys.old ? "" : " ([cluster] fleet_key_old is not set: nothing else could be opened)"));
    if (!r.changed.empty()) {
        std::string keysChanged;
        for (const auto& k : r.changed)
            keysChanged += (keysChanged.empty() ? "" : ", ") + escapeForLog(k, 200);
        core::logger().warning("cluster rekey: changed by another writer meanwhile, not "
                               "re-sealed: " +
                               keysChanged + "; run cluster rekey again");
        return kExitTemporary;
    }
    if (keys.old)
        core::logger().information("cluster rekey: every record opens with fleet_key alone; "
                                   "fleet_key_old can be removed from every host");
    return kExitOk;
}

} // namespace

int clusterCommand(const Globals& g, const std::vector<std::string>& argv,
                   const core::InstallerFactory& installers) {
    if (argv.empty())
        throw ConfigError(kUsage);
    const std::string sub = argv[0];
    Args args = parseArgs("cluster " + escapeForLog(sub, 40),
                          std::vector<std::string>(argv.begin() + 1, argv.end()), {"--json"}, {});
    std::size_t wanted = sub == "publish" || sub == "rollback" ? 1 : 0;
    if (args.positional.size() != wanted)
        throw ConfigError(kUsage);
    if (sub == "keygen") {
        std::cout << cluster::FleetKey::generateText().reveal() << std::flush;
        return kExitOk;
    }
    if (sub != "status" && sub != "publish" && sub != "rollback" && sub != "leave" &&
        sub != "rekey")
        throw ConfigError(kUsage);
    Session s(g, installers, config::NeedCredentials::No, sub == "rollback");
    if (sub == "status")
        return statusSub(s, args);
    if (sub == "publish")
        return publishSub(s, args.positional[0]);
    if (sub == "rollback")
        return rollbackSub(s, args.positional[0], installers);
    if (sub == "rekey")
        return rekeySub(s);
    return leaveSub(s);
}

} // namespace certagent::cli
