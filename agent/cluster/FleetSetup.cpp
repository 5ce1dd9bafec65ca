#include "cluster/FleetSetup.h"

#include "util/Text.h"
#include "util/TrustedFile.h"

namespace certagent::cluster {

namespace {

FleetKey loadKey(const std::string& path, const std::string& key) {
    return FleetKey::load(path, "[cluster] " + key + " " + escapeForLog(path, 200));
}

} // namespace

std::unique_ptr<EtcdCoordinator> makeEtcdCoordinator(const config::Config& config,
                                                     const FleetLog& log) {
    const config::ClusterSettings& c = config.cluster;
    EtcdSettings etcd;
    etcd.endpoints = c.etcd;
    etcd.tls.caFile = c.caFile;
    etcd.tls.clientCertFile = c.certFile;
    etcd.tls.clientKeyFile = c.keyFile;
    etcd.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.timeout);
    etcd.user = c.user;
    if (!c.passwordFile.empty()) {
        Secret text = readTrustedFile(
            c.passwordFile, "[cluster] password_file " + escapeForLog(c.passwordFile, 200),
            TrustedFileRules{0600, false, 4096});
        std::string password = text.reveal();
        while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
            password.pop_back();
        etcd.password = std::make_shared<const Secret>(std::move(password));
    }
    etcd.log = log.warn;
    FleetKeyRing keys{loadKey(c.fleetKey, "fleet_key"), std::nullopt};
    if (!c.fleetKeyOld.empty())
        keys.old = loadKey(c.fleetKeyOld, "fleet_key_old");
    FleetSettings fleet;
    fleet.cluster = c.name;
    fleet.host = c.host;
    fleet.lease = c.lease;
    fleet.dcvWait = c.dcvWait;
    fleet.memberTimeout = c.memberTimeout;
    fleet.keepVersions = config.keepVersions;
    fleet.agentVersion = CERTAGENT_VERSION;
    fleet.info = log.info;
    fleet.warn = log.warn;
    return std::make_unique<EtcdCoordinator>(std::make_unique<EtcdClient>(std::move(etcd)),
                                             std::move(keys), std::move(fleet));
}

} // namespace certagent::cluster
