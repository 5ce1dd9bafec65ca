#include "plugins/nginx/NginxInstaller.h"

#include "crypto/TlsProbe.h"
#include "plugins/nginx/ConfigFiles.h"
#include "plugins/nginx/NginxControl.h"
#include "plugins/nginx/ServerBlocks.h"
#include "util/Error.h"
#include "util/FileBackup.h"

#include <algorithm>
#include <fnmatch.h>
#include <map>
#include <set>
#include <tuple>

namespace certagent::plugins {

namespace nginx {

namespace {

const char* const kPlugin = "nginx";

/// A wildcard certificate name is matched (and probed) as one concrete name below it.
std::string hostFor(const std::string& domain) {
    return domain.rfind("*.", 0) == 0 ? "certagent-probe" + domain.substr(1) : domain;
}

struct Endpoint {
    std::string host;
    int port = 0;
    std::string sni;
};

class NginxInstaller : public core::Installer {
  public:
    explicit NginxInstaller(const core::InstallerContext& context)
        : m_storeDir(context.storeDir), m_probeWithin(context.probeWithin), m_control(context) {}

    std::string kind() const override { return kPlugin; }
    void discover(const core::DeployTarget& target) override;
    void prepare() override;
    bool apply() override;
    void test() override { m_control.testConfig(); }
    void reload() override { m_control.reload(requireRunning("reload"), "reload"); }
    void probe(const std::string& expectedSha256) override;
    void restoreConfig() override;
    std::optional<std::string> webrootFor(const std::string& domain) override;
    // Selection-rule reporting is filled in by the plugin work of issue 12.
    std::vector<core::ServedName> placements() const override { return {}; }
    std::vector<core::ServedName> inventory() override { return {}; }

  private:
    void load(const std::string& step);
    int requireRunning(const std::string& step);
    void planDomain(const core::DeployTarget& target, const std::string& domain,
                    std::set<size_t>& chosen);
    void checkShared(const std::set<size_t>& chosen) const;
    bool reachable(const Listen& listen) const;
    void checkBackupOutsideIncludes() const;
    std::string blockToAdd(const core::DeployTarget& target) const;

    std::string m_storeDir;
    std::chrono::milliseconds m_probeWithin;
    NginxControl m_control;
    std::unique_ptr<Config> m_config; // ServerBlock::node points into it
    std::vector<ServerBlock> m_blocks;
    std::string m_pidPath;
    std::vector<Edit> m_edits;
    std::vector<Endpoint> m_endpoints;
    std::vector<FileSnapshot> m_backups;
};

/// A wildcard listen is probed over loopback, unless a loopback listen on the same port takes
/// those connections to other blocks.
bool NginxInstaller::reachable(const Listen& listen) const {
    const char* loopback = listen.address == "*"      ? "127.0.0.1"
                           : listen.address == "[::]" ? "[::1]"
                                                      : nullptr;
    if (!loopback)
        return true;
    const std::string shadow = std::string(loopback) + ":" + std::to_string(listen.port);
    for (const ServerBlock& b : m_blocks)
        for (const Listen& l : b.listens)
            if (l.key() == shadow)
                return false;
    return true;
}

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

std::string NginxInstaller::blockToAdd(const core::DeployTarget& target) const {
    std::string names;
    for (const std::string& d : target.domains)
        names += " " + d;
    return "server { listen 443 ssl; server_name" + names + "; ssl_certificate " +
           quoteValue(target.fullchainPath) + "; ssl_certificate_key " +
           quoteValue(target.keyPath) + "; ... }";
}

void NginxInstaller::planDomain(const core::DeployTarget& target, const std::string& domain,
                                std::set<size_t>& chosen) {
    const std::string host = hostFor(domain);
    const size_t before = m_endpoints.size();
    bool served = false;
    for (const Selection& s : selectServers(m_blocks, host, true)) {
        if (!s.byName)
            continue;
        served = true;
        if (reachable(s.listen))
            m_endpoints.push_back(Endpoint{probeHost(s.listen), s.listen.port, host});
        if (chosen.insert(s.block).second)
            for (Edit& e : planBlockEdits(m_blocks[s.block], m_config->files, target.fullchainPath,
                                          target.keyPath))
                m_edits.push_back(std::move(e));
    }
    if (!served)
        throw ConfigError("nginx: no TLS server block in " + m_control.configPath() +
                          " (and its includes) serves " + domain +
                          "; add one, e.g.: " + blockToAdd(target));
    if (m_endpoints.size() == before)
        throw ConfigError("nginx: " + domain +
                          " is served only on wildcard listens shadowed by a loopback listen on "
                          "the same port; cannot probe it");
}

/// A directive we edit must not also configure a block that serves other names (e.g. a shared
/// snippet included by several servers).
void NginxInstaller::checkShared(const std::set<size_t>& chosen) const {
    std::set<std::pair<std::string, size_t>> edited;
    for (const Edit& e : m_edits)
        edited.insert({e.file, e.begin});
    for (const ServerBlock& b : m_blocks) {
        if (chosen.count(b.index))
            continue;
        std::vector<const Directive*> all = b.certificates;
        all.insert(all.end(), b.keys.begin(), b.keys.end());
        for (const Directive* d : all)
            if (!d->args.empty() && edited.count({d->file, d->args[0].begin}))
                throw ConfigError(d->where() + ": " + d->name +
                                  " is shared with the server block at " + b.node->where() +
                                  ", which serves other names; move it into each server block");
    }
}

void NginxInstaller::checkBackupOutsideIncludes() const {
    for (const Edit& e : m_edits) {
        std::string sample = m_storeDir + "/backup/nginx/00000000T000000Z" + e.file;
        for (const std::string& pattern : m_config->includePatterns)
            if (::fnmatch(pattern.c_str(), sample.c_str(), FNM_PATHNAME) == 0)
                throw ConfigError("nginx: include " + pattern + " would load backups from " +
                                  m_storeDir + "/backup; move the store or the include");
    }
}

void NginxInstaller::discover(const core::DeployTarget& target) {
    m_edits.clear();
    m_endpoints.clear();
    m_backups.clear();
    load("discover");
    requireRunning("discover");
    std::set<size_t> chosen;
    for (const std::string& domain : target.domains)
        planDomain(target, domain, chosen);
    // a file included twice yields the same directive twice: edit it once
    std::sort(m_edits.begin(), m_edits.end(), [](const Edit& a, const Edit& b) {
        return std::tie(a.file, a.begin, a.end, a.text) < std::tie(b.file, b.begin, b.end, b.text);
    });
    m_edits.erase(std::unique(m_edits.begin(), m_edits.end(),
                              [](const Edit& a, const Edit& b) {
                                  return a.file == b.file && a.begin == b.begin && a.end == b.end &&
                                         a.text == b.text;
                              }),
                  m_edits.end());
    checkShared(chosen);
    checkBackupOutsideIncludes();
}

void NginxInstaller::prepare() {
    if (!m_config)
        throw InstallError(kPlugin, "prepare", "discover() was not called");
    requireRunning("prepare");
    std::set<std::string> files;
    for (const Edit& e : m_edits)
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
        for (const Edit& e : m_edits)
            if (e.file == backup.path)
                edits.push_back(e);
        if (snapshotFile(backup.path).content != backup.content)
            throw InstallError(kPlugin, "apply", backup.path + " changed since it was backed up");
        replaceFile(backup, applyEdits(backup.content, edits));
    }
    return !m_edits.empty();
}

void NginxInstaller::probe(const std::string& expectedSha256) {
    auto deadline = std::chrono::steady_clock::now() + m_probeWithin;
    for (const Endpoint& ep : m_endpoints) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        crypto::ProbeResult r = crypto::probeUntil(ep.host, ep.port, ep.sni, expectedSha256,
                                                   std::max(left, std::chrono::milliseconds(500)));
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
        for (const Selection& s : selectServers(m_blocks, hostFor(domain), tls))
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
    return std::make_unique<nginx::NginxInstaller>(context);
}

} // namespace certagent::plugins
