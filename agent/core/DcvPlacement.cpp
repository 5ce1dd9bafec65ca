#include "core/DcvPlacement.h"

#include "core/DcvFile.h"
#include "core/InstallerFor.h"
#include "core/RunSupport.h"
#include "util/Text.h"

#include <algorithm>
#include <sstream>

namespace certagent::core {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<Challenge> ofKind(const std::vector<Challenge>& all, Challenge::Kind kind) {
    std::vector<Challenge> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [kind](const Challenge& c) { return c.kind == kind; });
    return out;
}

} // namespace

DcvPlacement::~DcvPlacement() = default;

void DcvPlacement::place(const OrderView& view, bool dryRun) {
    if (!view.challenges.empty())
        m_job.challenges = view.challenges; // what the fleet's other hosts place too
    auto emails = ofKind(view.challenges, Challenge::Kind::Email);
    for (const auto& mail : emails)
        logger().information(m_job.prefix + m_job.orderLabel() +
                             ": waiting for the approval e-mail to " +
                             escapeForLog(mail.email, 200));
    if (!emails.empty() || dryRun)
        return;
    if (!view.challengeProblem.empty())
        throw RefusedError(view.challengeProblem);
    auto records = ofKind(view.challenges, Challenge::Kind::DnsRecord);
    if (m_job.cert.dcv == config::DcvMethod::Dns) {
        addRecords(records);
        return;
    }
    auto files = ofKind(view.challenges, Challenge::Kind::HttpFile);
    if (files.empty()) {
        if (!view.validated)
            logger().information(m_job.prefix + m_job.orderLabel() +
                                 ": no validation file offered yet");
        return;
    }
    placeFiles(files);
    std::vector<std::string> placed;
    for (const auto& c : files)
        placed.push_back("/.well-known/" + std::string(wellKnownName(c.dir)) + "/" + c.fileName);
    m_job.ctx.coordinator.ackChallenges(m_job.fleet, placed);
}

std::string DcvPlacement::webrootFor(const std::string& domain) {
    const auto& cert = m_job.cert;
    if (cert.webroot != "auto")
        return cert.webroot;
    if (!m_installer)
        m_installer = makeInstallerFor(m_job.ctx, cert);
    auto found = m_installer ? m_installer->webrootFor(domain) : std::nullopt;
    if (!found)
        throw ConfigError(cert.file + ": webroot = auto: no document root for " + domain +
                          " in the " + config::installerName(cert.installer) + " configuration");
    return *found;
}

void DcvPlacement::checkWebroots() {
    const auto dcv = m_job.cert.dcv;
    if (dcv != config::DcvMethod::Http && dcv != config::DcvMethod::Https)
        return;
    std::vector<std::string> checked;
    for (const auto& domain : m_job.cert.domains) {
        if (domain[0] == '*')
            continue; // never validated by a file
        std::string webroot = webrootFor(domain);
        if (!listed(checked, webroot)) {
            openWebroot(webroot);
            checked.push_back(webroot);
        }
    }
}

void DcvPlacement::placeFiles(const std::vector<Challenge>& files) {
    auto& state = m_job.state;
    for (const auto& c : files) {
        std::string webroot = webrootFor(c.domain);
        std::string path = webroot + "/.well-known/" + wellKnownName(c.dir) + "/" + c.fileName;
        if (listed(state.dcvFiles, path))
            continue;
        auto placed = placeDcvFile(webroot, DcvFile{c.dir, c.fileName, c.content});
        m_job.placedNow = true;
        if (placed.created) {
            state.dcvFiles.push_back(placed.path);
            m_job.save();
        }
        logger().information(m_job.prefix + "validation file for " + c.domain + ": " + placed.path +
                             (placed.created ? "" : " (already there)"));
    }
}

/// How a record is kept in the state: "NAME VALUE" for a CNAME (as always), "NAME TYPE VALUE"
/// otherwise (names and values never hold spaces).
std::string DcvPlacement::recordText(const Challenge& c) {
    if (c.dnsType.empty() || c.dnsType == "CNAME")
        return c.dnsName + " " + c.dnsValue;
    return c.dnsName + " " + c.dnsType + " " + c.dnsValue;
}

void DcvPlacement::addRecords(const std::vector<Challenge>& records) {
    auto& state = m_job.state;
    for (const auto& c : records) {
        std::string record = recordText(c);
        if (listed(state.dnsRecords, record))
            continue;
        auto outcome = m_job.ctx.hooks.runDns("add", c.dnsName, c.dnsValue, m_job.cert.name,
                                              c.dnsType.empty() ? "CNAME" : c.dnsType);
        if (outcome.ran == 0)
            throw RefusedError("dns validation for " + c.domain + ": no executable in " +
                               m_job.ctx.config.hooksDir + "/dns.d to add " + record);
        if (!outcome.ok())
            throw RefusedError("dns validation for " + c.domain + ": " + outcome.firstError);
        state.dnsRecords.push_back(record);
        m_job.placedNow = true;
        m_job.save();
        logger().information(m_job.prefix + "dns record added through hooks: " + record);
    }
}

void DcvPlacement::cleanup(Save save) {
    auto& state = m_job.state;
    for (const auto& path : state.dcvFiles)
        if (!removeDcvFile(path))
            logger().warning(m_job.prefix + "could not remove validation file " + path);
    for (const auto& record : state.dnsRecords) {
        std::istringstream words(record);
        std::string name, type, value;
        words >> name >> type >> value;
        if (value.empty()) { // "NAME VALUE": a CNAME
            value = type;
            type = "CNAME";
        }
        auto outcome = m_job.ctx.hooks.runDns("remove", name, value, m_job.cert.name, type);
        if (!outcome.ok())
            logger().warning(m_job.prefix + "removing dns record " + record + ": " +
                             outcome.firstError);
    }
    bool changed = !state.dcvFiles.empty() || !state.dnsRecords.empty();
    state.dcvFiles.clear();
    state.dnsRecords.clear();
    if (changed && save == Save::Now)
        m_job.save();
}

} // namespace certagent::core
