#include "core/CertRunner.h"
#include "core/DcvFile.h"
#include "core/RunSupport.h"
#include "crypto/CertFacts.h"
#include "crypto/Csr.h"
#include "crypto/Dcv.h"
#include "crypto/Pem.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <algorithm>
#include <regex>

namespace certagent::core {

namespace {

/// (domain, DCV data) for the common name and every SAN that came with its own data; SANs
/// without data share the common name's (Sectigo: one file for all names).
std::vector<std::pair<std::string, api::DcvInfo>> dcvItems(const std::vector<std::string>& domains,
                                                           const api::DcvInfo& main,
                                                           const std::vector<api::SanItem>& sans) {
    std::vector<std::pair<std::string, api::DcvInfo>> items;
    if (!main.empty())
        items.emplace_back(domains[0], main);
    for (const auto& san : sans)
        if (!san.validation.empty())
            items.emplace_back(san.name, san.validation);
    return items;
}

std::string formatElapsed(long long s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

} // namespace

void CertRunner::prepareValidation(const api::DcvInfo& main, const std::vector<api::SanItem>& sans,
                                   bool dryRun) {
    if (m_cert.dcv == "email") {
        std::string to = !main.email.empty() ? main.email : m_cert.approverEmail;
        logger().information(m_prefix + "order " + std::to_string(m_state.orderId) +
                             ": waiting for the approval e-mail to " + escapeForLog(to, 200));
        return;
    }
    if (dryRun)
        return;
    if (m_cert.dcv == "dns")
        addDnsRecords(main, sans);
    else
        placeHttpFiles(main, sans);
}

void CertRunner::placeHttpFiles(const api::DcvInfo& main, const std::vector<api::SanItem>& sans) {
    auto items = dcvItems(m_cert.domains, main, sans);
    if (items.empty()) {
        logger().information(m_prefix + "order " + std::to_string(m_state.orderId) +
                             ": no validation file offered yet");
        return;
    }
    std::string csrPem = readCsrPem();
    std::optional<crypto::SectigoDcv> expected;
    if (!csrPem.empty())
        expected = crypto::sectigoDcv(*crypto::csrFromPem(csrPem, csrPath()));
    else
        logger().warning(m_prefix + "no CSR of ours at " + csrPath() +
                         "; cannot cross-check the validation file");
    std::string context = "order " + std::to_string(m_state.orderId);
    // Validate everything before writing anything.
    std::vector<std::pair<std::string, DcvFile>> files;
    for (const auto& [domain, info] : items) {
        if (std::find(m_cert.domains.begin(), m_cert.domains.end(), domain) == m_cert.domains.end())
            throw RefusedError(context + ": dcv for \"" + escapeForLog(domain, 200) +
                               "\", which is not a configured name");
        files.emplace_back(domain, validateHttpDcv(info, m_cert.dcv, m_cert.domains,
                                                   expected ? &*expected : nullptr, context));
    }
    std::unique_ptr<Installer> installer;
    for (const auto& [domain, file] : files) {
        std::string webroot = m_cert.webroot;
        if (webroot == "auto") {
            if (!installer)
                installer = makeInstaller();
            auto found = installer ? installer->webrootFor(domain) : std::nullopt;
            if (!found)
                throw ConfigError(m_cert.file + ": webroot = auto: no document root for " + domain +
                                  " in the " + m_cert.installer + " configuration");
            webroot = *found;
        }
        std::string path = webroot + "/.well-known/pki-validation/" + file.fileName;
        if (std::find(m_state.dcvFiles.begin(), m_state.dcvFiles.end(), path) !=
            m_state.dcvFiles.end())
            continue;
        auto placed = placeDcvFile(webroot, file);
        m_placedNow = true;
        if (placed.created) {
            m_state.dcvFiles.push_back(placed.path);
            save();
        }
        logger().information(m_prefix + "validation file for " + domain + ": " + placed.path +
                             (placed.created ? "" : " (already there)"));
    }
}

void CertRunner::addDnsRecords(const api::DcvInfo& main, const std::vector<api::SanItem>& sans) {
    static const std::regex safe("[A-Za-z0-9_.-]{1,253}");
    for (const auto& [domain, info] : dcvItems(m_cert.domains, main, sans)) {
        if (info.method != "dns")
            throw RefusedError("order " + std::to_string(m_state.orderId) + ": dcv method \"" +
                               escapeForLog(info.method, 40) + "\" is not the configured dns");
        if (!std::regex_match(info.dnsName, safe) || !std::regex_match(info.dnsTarget, safe))
            throw RefusedError("order " + std::to_string(m_state.orderId) + ": dcv record \"" +
                               escapeForLog(info.dnsRecord, 200) + "\" is not a plain name");
        std::string record = info.dnsName + " " + info.dnsTarget;
        if (std::find(m_state.dnsRecords.begin(), m_state.dnsRecords.end(), record) !=
            m_state.dnsRecords.end())
            continue;
        auto outcome = m_ctx.hooks.runDns("add", info.dnsName, info.dnsTarget, m_cert.name);
        if (outcome.ran == 0)
            throw RefusedError("dns validation for " + domain + ": no executable in " +
                               m_ctx.config.hooksDir + "/dns.d to add " + record);
        if (!outcome.ok())
            throw RefusedError("dns validation for " + domain + ": " + outcome.firstError);
        m_state.dnsRecords.push_back(record);
        m_placedNow = true;
        save();
        logger().information(m_prefix + "dns record added through hooks: " + record);
    }
}

void CertRunner::cleanupValidation() {
    for (const auto& path : m_state.dcvFiles)
        if (!removeDcvFile(path))
            logger().warning(m_prefix + "could not remove validation file " + path);
    for (const auto& record : m_state.dnsRecords) {
        auto space = record.find(' ');
        auto outcome = m_ctx.hooks.runDns("remove", record.substr(0, space),
                                          record.substr(space + 1), m_cert.name);
        if (!outcome.ok())
            logger().warning(m_prefix + "removing dns record " + record + ": " +
                             outcome.firstError);
    }
    bool changed = !m_state.dcvFiles.empty() || !m_state.dnsRecords.empty();
    m_state.dcvFiles.clear();
    m_state.dnsRecords.clear();
    if (changed)
        save();
}

int CertRunner::handleStatus(const RunOptions& options, const api::OrderStatus& st, bool& done) {
    std::string order = "order " + std::to_string(m_state.orderId);
    m_state.lastStatus = st.status;
    m_state.consecutiveFailures = 0;
    m_state.backoffUntil.reset();
    done = false;
    if (st.status == "active" && !st.crtCode.empty() && !showsDeployedCert(st)) {
        done = true;
        return installIssued(options, st);
    }
    if (isTerminalStatus(st.status)) {
        done = true;
        if (options.dryRun)
            return refuseAndRecord(order + " is " + st.status, kExitRefused);
        cleanupValidation();
        m_state.phase = "failed";
        int rc = refuseAndRecord(order + " is " + st.status + "; the deployed certificate stays",
                                 kExitRefused);
        save();
        runHooks("failure", m_state.lastError);
        return rc;
    }
    try {
        prepareValidation(st.approver, st.san, options.dryRun);
    } catch (const RefusedError& e) {
        done = true;
        cleanupValidation();
        m_state.phase = "failed";
        int rc = refuseAndRecord(e.what(), e.exitCode());
        save();
        return rc;
    }
    if (m_placedNow && !options.dryRun) {
        m_placedNow = false;
        if (auto rc = recheckAfterPlacing(options, done))
            return *rc;
    }
    logger().information(m_prefix + order + ": " + escapeForLog(m_state.lastStatus, 40) +
                         (st.status != "active" ? ""
                          : st.crtCode.empty()  ? " (no certificate yet)"
                                                : " (still the deployed certificate)"));
    if (!options.dryRun)
        save();
    return kExitOk;
}

bool CertRunner::showsDeployedCert(const api::OrderStatus& st) const {
    // Right after a reissue request the order may still show the old certificate as "active":
    // that is "not ready yet", not a key mismatch.
    if (m_state.deployedSha256.empty() || !m_ctx.store.hasPendingKey(m_cert.name))
        return false;
    try {
        return crypto::sha256Fingerprint(*crypto::parseSingleCert(st.crtCode, "crt_code")) ==
               m_state.deployedSha256;
    } catch (const Error&) {
        return false; // the gate reports it
    }
}

std::optional<int> CertRunner::recheckAfterPlacing(const RunOptions& options, bool& done) {
    // The CA scans on its own schedule; ask it to look now, then poll once more.
    try {
        for (const auto& domain : m_cert.domains)
            if (domain[0] != '*' || m_cert.dcv == "dns")
                m_ctx.api.revalidate(m_state.orderId, domain);
        auto again = m_ctx.api.status(m_state.orderId);
        if (again.status == "active" && !again.crtCode.empty() && !showsDeployedCert(again)) {
            done = true;
            return installIssued(options, again);
        }
        m_state.lastStatus = again.status;
    } catch (const api::ApiError& e) {
        logger().warning(m_prefix + e.what());
    }
    return std::nullopt;
}

int CertRunner::waitForIssue(const RunOptions& options, api::OrderStatus st) {
    std::time_t start = m_ctx.now();
    std::time_t deadline = start + options.wait->count();
    std::chrono::seconds interval(5);
    for (;;) {
        bool done = false;
        int rc = handleStatus(options, st, done);
        if (done || rc != kExitOk)
            return rc;
        std::time_t now = m_ctx.now();
        if (now >= deadline) {
            int code = refuseAndRecord("order " + std::to_string(m_state.orderId) + " still " +
                                           escapeForLog(m_state.lastStatus, 40) + " after " +
                                           formatDuration(*options.wait),
                                       kExitTemporary);
            if (!options.dryRun)
                save();
            return code;
        }
        auto pause = std::min<std::chrono::seconds>(interval, std::chrono::seconds(deadline - now));
        if (m_ctx.progress)
            m_ctx.progress(m_prefix + "order " + std::to_string(m_state.orderId) + " " +
                           escapeForLog(m_state.lastStatus, 40) + ", " +
                           formatElapsed(now - start) + " elapsed, next poll in " +
                           std::to_string(pause.count()) + "s");
        m_ctx.sleep(pause);
        interval = std::min<std::chrono::seconds>(interval * 2, std::chrono::seconds(60));
        try {
            st = m_ctx.api.status(m_state.orderId);
        } catch (const api::ApiError& e) {
            if (!e.retryable())
                return apiFailure(e, e.exitCode());
            logger().warning(m_prefix + e.what() + " (will retry)");
        }
    }
}

} // namespace certagent::core
