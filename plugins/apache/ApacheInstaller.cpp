#include "plugins/apache/ApacheInstaller.h"

#include "crypto/TlsProbe.h"
#include "plugins/apache/ApacheControl.h"
#include "plugins/apache/ConfigBackup.h"
#include "plugins/apache/KeyPairCheck.h"
#include "plugins/apache/VhostEdit.h"
#include "plugins/apache/VirtualHosts.h"
#include "util/Error.h"

#include <algorithm>
#include <map>
#include <set>
#include <sys/stat.h>
#include <thread>

namespace certagent::plugins {

namespace apache {

namespace {

constexpr const char* kPlugin = "apache";
using Clock = std::chrono::steady_clock;

/// One TLS endpoint and the SNI name to ask it for.
struct ProbeTarget {
    Listener listener;
    std::string sni;
    bool operator<(const ProbeTarget& o) const {
        return std::tie(listener.host, listener.port, sni) <
               std::tie(o.listener.host, o.listener.port, o.sni);
    }
};

std::string sniFor(const std::string& domain) {
    // A wildcard name cannot be sent as SNI; any name below it selects the same block.
    return domain.rfind("*.", 0) == 0 ? "certagent-probe" + domain.substr(1) : domain;
}

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
        m_live = {target.fullchainPath, target.keyPath};
        loadServer("discover");
        m_targets.clear();
        m_probes.clear();
        for (const std::string& domain : target.domains) {
            bool found = false;
            for (size_t i = 0; i < m_vhosts.size(); ++i) {
                if (!m_vhosts[i].ssl || !m_vhosts[i].serves(domain))
                    continue;
                found = true;
                checkEditable(m_vhosts[i]);
                checkCovered(m_vhosts[i], target.domains);
                if (std::find(m_targets.begin(), m_targets.end(), i) == m_targets.end())
                    m_targets.push_back(i);
                for (const Listener& l : m_vhosts[i].listeners())
                    m_probes.insert({probeAddress(l, m_listens), sniFor(domain)});
            }
            if (!found)
                throw ConfigError("apache: no SSL <VirtualHost> in " + m_control.settings().config +
                                  " serves " + domain + "; add a block such as: " +
                                  suggestedBlock(domain, m_live.fullchain, m_live.key));
        }
    }

    void prepare() override {
        int pid = readPidFile(m_pidFile);
        if (m_pidFile.empty() || !pidAlive(pid, m_control.settings().binary))
            throw InstallError(kPlugin, "prepare",
                               "apache2 is not running (PidFile " +
                                   (m_pidFile.empty() ? std::string("unknown") : m_pidFile) +
                                   "): nothing changed");
        const std::string& mode = m_control.settings().reload;
        m_viaSystemd = mode == "systemd" || (mode == "auto" && m_control.systemdRunsPid(pid));
        if (mode == "systemd" && !m_control.systemdRunsPid(pid))
            throw InstallError(kPlugin, "prepare",
                               "reload = systemd but the unit " + m_control.unit() +
                                   " does not run pid " + std::to_string(pid) +
                                   ": nothing changed");
        std::vector<std::string> files;
        for (size_t i : m_targets) {
            std::string path = resolvedPath(m_vhosts[i].file);
            if (!pointsAt(m_vhosts[i], m_live, m_context) &&
                std::find(files.begin(), files.end(), path) == files.end())
                files.push_back(path);
        }
        if (!files.empty())
            m_backup.save(m_storeDir, files);
        m_prepared = true;
    }

    bool apply() override {
        std::map<std::string, std::vector<const VirtualHost*>> byFile;
        for (size_t i : m_targets)
            if (!pointsAt(m_vhosts[i], m_live, m_context))
                byFile[resolvedPath(m_vhosts[i].file)].push_back(&m_vhosts[i]);
        bool changed = false;
        for (const auto& [path, vhosts] : byFile) {
            const FileSnapshot* original = m_backup.original(path);
            if (!original)
                throw InstallError(kPlugin, "apply", path + " was not backed up");
            std::string edited = editText(original->content, vhosts, m_live);
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
        for (const ProbeTarget& p : m_probes)
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
        if (m_vhosts.empty())
            loadServer("webroot");
        for (const VirtualHost& vhost : m_vhosts)
            if (!vhost.ssl && vhost.serves(domain))
                return vhost.documentRoot.empty() ? m_dump.mainDocumentRoot : vhost.documentRoot;
        return std::nullopt;
    }

    // Selection-rule reporting is filled in by the plugin work of issue 12.
    std::vector<core::ServedName> placements() const override { return {}; }
    std::vector<core::ServedName> inventory() override { return {}; }

  private:
    /// Pointing a block at our certificate must not break the other names it serves.
    static void checkCovered(const VirtualHost& vhost, const std::vector<std::string>& domains) {
        std::vector<std::string> others = vhost.uncovered(domains);
        if (others.empty())
            return;
        std::string list;
        for (const std::string& name : others)
            list += (list.empty() ? "" : ", ") + name;
        throw ConfigError("apache: the block at " + vhost.where() + " also serves " + list +
                          ", which the certificate's domains do not cover; add them to domains "
                          "or give them their own <VirtualHost>");
    }

    void loadServer(const std::string& step) {
        m_dump = parseDump(m_control.dump(step));
        m_pidFile = m_dump.pidFile; // probe() also runs after discover() alone (`verify`)
        m_context = ConfContext{};
        m_context.serverRoot = m_dump.serverRoot;
        m_context.vars = m_control.env();
        for (const std::string& define : m_dump.defines)
            if (define.rfind("DUMP_", 0) != 0)
                m_context.defines.insert(define);
        m_context.modules = m_dump.modules;
        m_vhosts = loadVirtualHosts(m_dump, m_context);
        m_listens = listenDirectives(m_control.settings().config, m_context);
    }

    /// Apache's -t accepts a key that does not match its certificate (and garbage PEM), and a
    /// graceful reload with such files takes the server down: check every pair it would load.
    void gate(const std::string& step) {
        ServerDump dump = parseDump(m_control.dump(step));
        ConfContext context = m_context;
        context.serverRoot = dump.serverRoot;
        for (const VirtualHost& vhost : loadVirtualHosts(dump, context)) {
            if (!vhost.ssl)
                continue;
            for (size_t i = 0; i < vhost.certFiles.size(); ++i) {
                if (vhost.certFiles[i].args.empty())
                    continue;
                std::string key;
                if (i < vhost.keyFiles.size() && !vhost.keyFiles[i].args.empty())
                    key = resolvePath(vhost.keyFiles[i].args[0], context);
                std::string cert = resolvePath(vhost.certFiles[i].args[0], context);
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
        return pidAlive(readPidFile(m_pidFile), m_control.settings().binary);
    }

    void probeOne(const ProbeTarget& p, const std::string& expected, Clock::time_point deadline) {
        std::string where =
            p.listener.host + ":" + std::to_string(p.listener.port) + " (SNI " + p.sni + ")";
        while (true) {
            if (!serverAlive())
                throw InstallError(kPlugin, "probe",
                                   "apache2 is no longer running (pid file " + m_pidFile + ")");
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            auto chunk =
                std::clamp(left, std::chrono::milliseconds(200), std::chrono::milliseconds(1000));
            crypto::ProbeResult r =
                crypto::probeUntil(p.listener.host, p.listener.port, p.sni, expected, chunk);
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
    LivePaths m_live;
    ServerDump m_dump;
    ConfContext m_context;
    std::vector<VirtualHost> m_vhosts;
    std::vector<Listener> m_listens;
    std::vector<size_t> m_targets; ///< indexes into m_vhosts
    std::set<ProbeTarget> m_probes;
    ConfigBackup m_backup;
    std::string m_pidFile;
    bool m_viaSystemd = false;
    bool m_prepared = false; ///< prepare() saw it running and backed up (apply may follow)
};

} // namespace

} // namespace apache

std::unique_ptr<core::Installer> makeApacheInstaller(const core::InstallerContext& context) {
    return std::make_unique<apache::ApacheInstaller>(context);
}

} // namespace certagent::plugins
