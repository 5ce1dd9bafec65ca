#include "plugins/nginx/NginxInstaller.h"

#include "crypto/TlsProbe.h"
#include "plugins/nginx/Inventory.h"
#include "plugins/nginx/NginxControl.h"
#include "plugins/nginx/Selection.h"
#include "plugins/nginx/WorkerGeneration.h"
#include "util/Error.h"
#include "util/FileBackup.h"

#include <algorithm>
#include <fnmatch.h>
#include <set>
#include <thread>

namespace certagent::plugins {

namespace nginx {

namespace {

const char* const kPlugin = "nginx";

class NginxInstaller : public core::Installer {
  public:
    NginxInstaller(const core::InstallerContext& context, PlanSeams seams)
        : m_storeDir(context.storeDir), m_probeWithin(context.probeWithin), m_control(context),
          m_seams(std::move(seams)) {}

    std::string kind() const override { return kPlugin; }
    void discover(const core::DeployTarget& target) override;
    void prepare() override;
    bool apply() override;
    void test() override { m_control.testConfig(); }
    void reload() override;
    void probe(const std::string& expectedSha256) override;
    void restoreConfig() override;
    std::optional<std::string> webrootFor(const std::string& domain) override;
    std::vector<core::ServedName> placements() const override { return m_placements; }
    std::vector<core::ServedName> inventory() override;

  private:
    void load(const std::string& step);
    int requireRunning(const std::string& step);
    void waitOldGeneration(std::chrono::steady_clock::time_point deadline);
    void checkBackupOutsideIncludes() const;

    std::string m_storeDir;
    std::chrono::milliseconds m_probeWithin;
    NginxControl m_control;
    PlanSeams m_seams;
    std::unique_ptr<Config> m_config; // ServerBlock::node points into it
    std::vector<ServerBlock> m_blocks;
    std::string m_pidPath;
    DeployPlan m_plan;
    std::vector<core::ServedName> m_placements;
    std::vector<FileSnapshot> m_backups;
    bool m_edited = false; // apply() changed files that restoreConfig() has not put back
    int m_master = 0;
    std::vector<int> m_oldWorkers; // accepting before the last reload
};

void NginxInstaller::load(const std::string& step) {
    m_config = std::make_unique<Config>(m_control.loadConfig(step));
    m_blocks = serverBlocks(*m_config);
    m_pidPath = m_control.pidPath(*m_config);
}

int NginxInstaller::requireRunning(const std::string& step) {
    int pid = NginxControl::masterPid(m_pidPath);
    if (pid == 0)
        throw InstallError(kPlugin, step,
                           "nginx is not running (no live master process per " + m_pidPath +
                               "): nothing changed");
    return pid;
}

void NginxInstaller::checkBackupOutsideIncludes() const {
    for (const Edit& e : m_plan.edits) {
        std::string sample = m_storeDir + "/backup/nginx/00000000T000000Z" + e.file;
        for (const std::string& pattern : m_config->includePatterns)
            if (::fnmatch(pattern.c_str(), sample.c_str(), FNM_PATHNAME) == 0)
                throw ConfigError("nginx: include " + pattern + " would load backups from " +
                                  m_storeDir + "/backup; move the store or the include");
    }
}

void NginxInstaller::discover(const core::DeployTarget& target) {
    m_plan = DeployPlan{};
    m_placements.clear();
    m_backups.clear();
    m_edited = false;
    load("discover");
    requireRunning("discover");
    m_plan = planDeploy(*m_config, m_blocks, target, m_seams);
    m_placements = placementsOf(*m_config, m_blocks, target.domains);
    checkBackupOutsideIncludes();
}

std::vector<core::ServedName> NginxInstaller::inventory() {
    const Config fresh = m_control.loadConfig("inventory");
    return inventoryOf(fresh, serverBlocks(fresh));
}

void NginxInstaller::prepare() {
    if (!m_config)
        throw InstallError(kPlugin, "prepare", "discover() was not called");
    requireRunning("prepare");
    std::set<std::string> files;
    for (const Edit& e : m_plan.edits)
        files.insert(e.file);
    std::vector<FileSnapshot> snaps;
    for (const std::string& file : files) {
        FileSnapshot snap = snapshotFile(file);
        if (snap.content != m_config->files.contents.at(file))
            throw InstallError(kPlugin, "prepare",
                               file + " changed since nginx -T read it; nothing changed");
        snaps.push_back(std::move(snap));
    }
    if (!snaps.empty())
        writeBackup(m_storeDir, "nginx", snaps);
    m_backups = std::move(snaps);
}

bool NginxInstaller::apply() {
    for (const FileSnapshot& backup : m_backups) {
        std::vector<Edit> edits;
        for (const Edit& e : m_plan.edits)
            if (e.file == backup.path)
                edits.push_back(e);
        if (snapshotFile(backup.path).content != backup.content)
            throw InstallError(kPlugin, "apply", backup.path + " changed since it was backed up");
        m_edited = true;
        replaceFile(backup, applyEdits(backup.content, edits));
    }
    return !m_plan.edits.empty();
}

void NginxInstaller::reload() {
    m_master = requireRunning("reload");
    m_oldWorkers = acceptingWorkers(m_master);
    m_control.reload(m_master, "reload");
}

/// See WorkerGeneration.h: a reload counts once no worker from before it accepts connections.
void NginxInstaller::waitOldGeneration(std::chrono::steady_clock::time_point deadline) {
    auto pause = std::chrono::milliseconds(10);
    std::vector<int> left = stillAccepting(m_master, m_oldWorkers);
    while (!left.empty()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string pids;
            for (int pid : left)
                pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
            throw InstallError(kPlugin, "probe",
                               "workers from before the reload (pid " + pids +
                                   ") still accept connections with the old configuration");
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
        left = stillAccepting(m_master, left);
    }
    m_oldWorkers.clear();
}

void NginxInstaller::probe(const std::string& expectedSha256) {
    auto deadline = std::chrono::steady_clock::now() + m_probeWithin;
    waitOldGeneration(deadline);
    for (const Endpoint& ep : m_plan.endpoints) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        crypto::ProbeOptions options = ep.options;
        if (!m_edited) // the configuration as found (verify, or after a rollback)
            options.keyType = ep.keyTypeAsFound;
        crypto::ProbeResult r =
            crypto::probeUntil(ep.host, ep.port, ep.sni, expectedSha256,
                               std::max(left, std::chrono::milliseconds(500)), options);
        if (r.leafSha256 != expectedSha256)
            throw InstallError(kPlugin, "probe",
                               ep.host + ":" + std::to_string(ep.port) + " (SNI " + ep.sni + ") " +
                                   (r.connected
                                        ? "serves " + r.leafSha256.substr(0, 16) + "..., not " +
                                              expectedSha256.substr(0, 16) + "..."
                                        : "failed: " + r.error));
    }
}

void NginxInstaller::restoreConfig() {
    for (const FileSnapshot& backup : m_backups) {
        try {
            if (snapshotFile(backup.path).content == backup.content)
                continue;
        } catch (const IoError&) {
            // unreadable or gone: write it back below
        }
        try {
            replaceFile(backup, backup.content);
        } catch (const std::exception& e) {
            throw InstallError(kPlugin, "restore", e.what(), kExitRollbackFailed);
        }
    }
    m_edited = false;
}

std::string rootOf(const Directive& block) {
    for (const Directive& d : block.children)
        if (d.name == "root" && d.args.size() == 1)
            return d.args[0].value;
    return {};
}

/// The root for /.well-known/pki-validation/: the longest matching prefix location's root, else
/// the server's, else http's. Empty when it cannot be known (alias, variables, relative).
std::string webrootOf(const Config& config, const ServerBlock& block) {
    const std::string uri = "/.well-known/pki-validation/";
    const Directive* best = nullptr;
    size_t bestLen = 0;
    for (const Directive& d : block.node->children) {
        if (d.name != "location" || !d.isBlock || d.args.empty())
            continue;
        const std::string& prefix = d.args.size() == 2 && d.args[0].value == "^~" ? d.args[1].value
                                    : d.args.size() == 1                          ? d.args[0].value
                                                                                  : std::string();
        if (!prefix.empty() && uri.compare(0, prefix.size(), prefix) == 0 &&
            prefix.size() >= bestLen) {
            best = &d;
            bestLen = prefix.size();
        }
    }
    if (best)
        for (const Directive& d : best->children)
            if (d.name == "alias")
                return {};
    std::string root = best ? rootOf(*best) : std::string();
    if (root.empty())
        root = rootOf(*block.node);
    for (const Directive& http : config.root)
        if (root.empty() && http.name == "http" && http.isBlock)
            root = rootOf(http);
    if (root.empty() || root[0] != '/' || root.find('$') != std::string::npos)
        return {};
    return root;
}

std::optional<std::string> NginxInstaller::webrootFor(const std::string& domain) {
    if (!m_config) {
        try {
            load("webroot");
        } catch (const InstallError& e) {
            throw ConfigError("webroot = auto for " + domain + ": " + e.what());
        }
    }
    for (bool tls : {false, true})
        for (const Selection& s : selectServers(m_blocks, hostForDomain(domain), tls))
            if (s.byName) {
                std::string root = webrootOf(*m_config, m_blocks[s.block]);
                if (!root.empty())
                    return root;
            }
    return std::nullopt;
}

} // namespace

} // namespace nginx

std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext& context) {
    return makeNginxInstaller(context, nginx::defaultSeams());
}

std::unique_ptr<core::Installer> makeNginxInstaller(const core::InstallerContext& context,
                                                    nginx::PlanSeams seams) {
    return std::make_unique<nginx::NginxInstaller>(context, std::move(seams));
}

} // namespace certagent::plugins
