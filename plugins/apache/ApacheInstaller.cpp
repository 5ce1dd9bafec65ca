#include "plugins/apache/ApacheInstaller.h"

#include "crypto/ServerFiles.h"
#include "crypto/TlsProbe.h"
#include "plugins/apache/ApacheControl.h"
#include "plugins/apache/ConfigBackup.h"
#include "plugins/apache/Discovery.h"
#include "plugins/apache/EditPlan.h"
#include "plugins/apache/KeyPairCheck.h"
#include "plugins/apache/PackageFiles.h"
#include "util/Error.h"

#include <algorithm>
#include <map>
#include <thread>

namespace certagent::plugins {

namespace apache {

namespace {

constexpr const char* kPlugin = "apache";
using Clock = std::chrono::steady_clock;

std::string shortSha(const std::string& sha) {
    return sha.substr(0, 16);
}

class ApacheInstaller : public core::Installer {
  public:
    explicit ApacheInstaller(const core::InstallerContext& context)
        : m_storeDir(context.storeDir), m_control(context.server, context.runner),
          m_probeWithin(context.probeWithin) {}

    std::string kind() const override { return kPlugin; }

    void discover(const core::DeployTarget& target) override {
        m_target = target;
        m_live = {target.fullchainPath, target.keyPath};
        loadServer("discover");
        m_targets = findTargets(m_state, target.domains, m_live.fullchain, m_live.key);
        PlanInput input{target.name,
                        m_live,
                        crypto::keyFamilyOfType(target.keyType),
                        target.otherLiveDirs,
                        m_state.context,
                        [this](const std::string& file) {
                            return isPackageConffile(file, m_control.settings().packageInfoDir);
                        },
                        [this](const std::string& file) { return onlyCoveredInclude(file); }};
        m_changes.clear();
        m_pairs.clear();
        for (size_t i : m_targets.blocks) {
            BlockPlan plan = planBlock(m_state.vhosts[i], input);
            for (auto& [file, changes] : plan.changes) {
                auto& all = m_changes[resolvedPath(file)];
                for (const LineChange& c : changes) // blocks sharing an edited snippet
                    if (std::find(all.begin(), all.end(), c) == all.end())
                        all.push_back(c);
            }
            m_pairs[i] = plan.pairsAfter;
        }
    }

    void prepare() override {
        int pid = readPidFile(m_state.dump.pidFile);
        if (m_state.dump.pidFile.empty() || !pidAlive(pid, m_control.settings().binary))
            throw InstallError(
                kPlugin, "prepare",
                "apache2 is not running (PidFile " +
                    (m_state.dump.pidFile.empty() ? std::string("unknown") : m_state.dump.pidFile) +
                    "): nothing changed");
        const std::string& mode = m_control.settings().reload;
        m_viaSystemd = mode == "systemd" || (mode == "auto" && m_control.systemdRunsPid(pid));
        if (mode == "systemd" && !m_control.systemdRunsPid(pid))
            throw InstallError(kPlugin, "prepare",
                               "reload = systemd but the unit " + m_control.unit() +
                                   " does not run pid " + std::to_string(pid) +
                                   ": nothing changed");
        std::vector<std::string> files;
        for (const auto& [file, changes] : m_changes)
            files.push_back(file);
        if (!files.empty())
            m_backup.save(m_storeDir, files);
        m_prepared = true;
    }

    bool apply() override {
        bool changed = false;
        for (const auto& [file, changes] : m_changes) {
            const FileSnapshot* original = m_backup.original(file);
            if (!original)
                throw InstallError(kPlugin, "apply", file + " was not backed up");
            std::string edited = applyChanges(original->content, file, changes);
            if (edited == original->content)
                continue;
            replaceFile(*original, edited);
            changed = true;
        }
        return changed;
    }

    void test() override {
        m_control.configTest();
        gate("test");
    }

    void reload() override {
        gate("reload");
        if (!serverAlive())
            throw InstallError(kPlugin, "reload", "apache2 is no longer running; not starting it");
        m_control.graceful(m_viaSystemd, "reload");
    }

    void probe(const std::string& expectedSha256) override {
        Clock::time_point deadline = Clock::now() + m_probeWithin;
        for (const ProbeTarget& p : m_targets.probes)
            probeOne(p, expectedSha256, deadline);
    }

    void restoreConfig() override {
        try {
            m_backup.restore();
        } catch (const Error& e) {
            throw InstallError(kPlugin, "rollback", e.what());
        }
    }

    void recover() override {
        if (!m_prepared) {
            // prepare() refused before touching anything: there is nothing to bring back.
            if (serverAlive())
                return;
            throw InstallError(kPlugin, "recover",
                               "apache2 was not running before the deploy; not starting it");
        }
        gate("recover");
        if (serverAlive()) {
            m_control.graceful(m_viaSystemd, "recover");
            return;
        }
        // prepare() saw it running, so the deploy killed it: the one case where we start apache2,
        // the way it ran before.
        m_control.start(m_viaSystemd, "recover");
        Clock::time_point deadline = Clock::now() + m_probeWithin;
        while (!serverAlive()) {
            if (Clock::now() >= deadline)
                throw InstallError(kPlugin, "recover", "apache2 did not come back after a start");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    std::optional<std::string> webrootFor(const std::string& domain) override {
        if (m_state.vhosts.empty())
            loadServer("webroot");
        for (const VirtualHost& vhost : m_state.vhosts)
            if (!vhost.ssl && vhost.serves(domain))
                return vhost.documentRoot.empty() ? m_state.dump.mainDocumentRoot
                                                  : vhost.documentRoot;
        return std::nullopt;
    }

    std::vector<core::ServedName> placements() const override { return m_targets.placements; }

    std::vector<core::ServedName> inventory() override {
        loadServer("inventory");
        return inventoryOf(m_state);
    }

  private:
    void loadServer(const std::string& step) {
        m_state = ServerState{};
        m_state.configPath = m_control.settings().config;
        m_state.dump = parseDump(m_control.dump(step));
        m_state.context.serverRoot = m_state.dump.serverRoot;
        m_state.context.vars = m_control.env();
        for (const std::string& define : m_state.dump.defines)
            if (define.rfind("DUMP_", 0) != 0)
                m_state.context.defines.insert(define);
        m_state.context.modules = m_state.dump.modules;
        m_state.vhosts = loadVirtualHosts(m_state.dump, m_state.context);
        m_state.scan = scanConfig(m_state.configPath, m_state.context);
        index(m_state);
    }

    /// A snippet may be edited for the certificate only when every block including it is a
    /// target or names only names the certificate covers, and the main server does not use it.
    bool onlyCoveredInclude(const std::string& file) const {
        if (m_state.scan.mainFiles.count(file))
            return false;
        for (size_t i = 0; i < m_state.vhosts.size(); ++i) {
            const VirtualHost& v = m_state.vhosts[i];
            if (!v.otherFiles.count(file))
                continue;
            bool target = std::find(m_targets.blocks.begin(), m_targets.blocks.end(), i) !=
                          m_targets.blocks.end();
            if (!target && (!v.hasNames() || !v.uncovered(m_target.domains).empty()))
                return false;
        }
        return true;
    }

    /// Apache's -t accepts a key that does not match its certificate (and garbage PEM), and a
    /// graceful reload with such files takes the server down: check every pair it would load.
    void gate(const std::string& step) {
        ServerDump dump = parseDump(m_control.dump(step));
        ConfContext context = m_state.context;
        context.serverRoot = dump.serverRoot;
        for (const VirtualHost& vhost : loadVirtualHosts(dump, context)) {
            if (!vhost.ssl)
                continue;
            for (size_t i = 0; i < vhost.certFiles.size(); ++i) {
                if (vhost.certFiles[i].node.args.empty())
                    continue;
                std::string key;
                if (i < vhost.keyFiles.size() && !vhost.keyFiles[i].node.args.empty())
                    key = resolvePath(vhost.keyFiles[i].node.args[0], context);
                std::string cert = resolvePath(vhost.certFiles[i].node.args[0], context);
                try {
                    checkKeyPair(cert, key, cert != m_live.fullchain);
                } catch (const Error& e) {
                    throw InstallError(kPlugin, step,
                                       "refusing to reload: block at " + vhost.where() + ": " +
                                           e.what());
                }
            }
        }
    }

    bool serverAlive() const {
        return pidAlive(readPidFile(m_state.dump.pidFile), m_control.settings().binary);
    }

    void probeOne(const ProbeTarget& p, const std::string& expected, Clock::time_point deadline) {
        const Endpoint& e = p.endpoint;
        std::string where = e.host + ":" + std::to_string(e.port) + " (SNI " + p.sni + ")";
        crypto::ProbeOptions options;
        auto pairs = m_pairs.find(p.block);
        if (pairs != m_pairs.end() && pairs->second > 1) // the served leaf depends on the client
            options.keyType = m_target.keyType;
        while (true) {
            if (!serverAlive())
                throw InstallError(kPlugin, "probe",
                                   "apache2 is no longer running (pid file " +
                                       m_state.dump.pidFile + ")");
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            auto chunk =
                std::clamp(left, std::chrono::milliseconds(200), std::chrono::milliseconds(1000));
            crypto::ProbeResult r =
                crypto::probeUntil(e.host, e.port, p.sni, expected, chunk, options);
            if (r.leafSha256 == expected)
                return;
            if (Clock::now() >= deadline)
                throw InstallError(kPlugin, "probe",
                                   where + " serves " +
                                       (r.leafSha256.empty() ? "nothing (" + r.error + ")"
                                                             : shortSha(r.leafSha256) + "...") +
                                       ", expected " + shortSha(expected) + "...");
        }
    }

    std::string m_storeDir;
    ApacheControl m_control;
    std::chrono::milliseconds m_probeWithin;
    core::DeployTarget m_target;
    LivePaths m_live;
    ServerState m_state;
    Targets m_targets;
    std::map<std::string, std::vector<LineChange>> m_changes; ///< by real path
    std::map<size_t, int> m_pairs; ///< target block → certificate pairs after the deploy
    ConfigBackup m_backup;
    bool m_viaSystemd = false;
    bool m_prepared = false; ///< prepare() saw it running and backed up (apply may follow)
};

} // namespace

} // namespace apache

std::unique_ptr<core::Installer> makeApacheInstaller(const core::InstallerContext& context) {
    return std::make_unique<apache::ApacheInstaller>(context);
}

} // namespace certagent::plugins
