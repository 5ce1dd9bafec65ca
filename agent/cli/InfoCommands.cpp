#include "cli/Commands.h"
#include "core/CertRunner.h"
#include "core/Discovery.h"
#include "core/Maintenance.h"
#include "core/RunSupport.h"
#include "util/IsoTime.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace certagent::cli {

namespace {

struct StatusRow {
    std::string name;
    std::vector<std::string> domains;
    std::string backend; ///< gogetssl | acme | acme-NAME
    std::string orderId; ///< the backend's id ("" = none)
    std::string orderStatus;
    std::string phase;
    std::string notAfter;
    std::optional<long long> daysLeft;
    std::optional<int> version;
    std::string lastError;
    std::string next;
    std::string ariStart, ariEnd, ariChosen; ///< the CA's renewal window (ISO 8601), if any
    /// `--served`: the blocks serving each name and why (empty: installer = none).
    std::optional<std::vector<core::ServedName>> servedBy;
    std::string servedError; ///< `--served`: why the installer could not say
};

/// `--served`: asks the certificate's web server (its config dump, no handshake).
void addServedBy(Session& s, const config::CertConfig& cert, StatusRow& row) {
    try {
        row.servedBy = core::servedBy(s.context(), cert);
    } catch (const Error& e) {
        row.servedBy.emplace();
        row.servedError = e.what();
    }
}

Poco::JSON::Array servedJson(const std::vector<core::ServedName>& served) {
    Poco::JSON::Array out;
    for (const core::ServedName& p : served) {
        Poco::JSON::Object o;
        o.set("name", p.name);
        o.set("address", p.address);
        o.set("block", p.block);
        o.set("why", p.why);
        o.set("cert_file", p.certFile);
        o.set("key_file", p.keyFile);
        out.add(o);
    }
    return out;
}

/// What the table shows of an order reference: a number as it is, a URL by its last segment.
std::string shortRef(const std::string& ref) {
    auto slash = ref.find_last_of('/');
    if (slash == std::string::npos || slash + 1 >= ref.size())
        return ref;
    std::string last = ref.substr(slash + 1);
    return last.size() <= 10 ? last : "..." + last.substr(last.size() - 7);
}

std::string isoOrEmpty(const std::optional<std::time_t>& t) {
    return t ? formatIsoUtc(*t) : std::string();
}

std::string nextAction(Session& s, const config::CertConfig& cert, const store::CertState& st) {
    std::time_t now = std::time(nullptr);
    if (st.phase == store::Phase::Failed)
        return "needs attention (certagent issue " + cert.name + " to start over)";
    if (st.phase == store::Phase::Ordering)
        return "order outcome unknown; check the account";
    if (st.backoffUntil && *st.backoffUntil > now)
        return "retry after " + formatIsoUtc(*st.backoffUntil);
    if (core::CertRunner::pendingOrder(st))
        return "poll " + s.context().backends.of(cert).describe(st.order) +
               (cert.dcv == config::DcvMethod::Email
                    ? " (approval e-mail to " + cert.approverEmail + ")"
                    : "");
    core::CertRunner runner(s.context(), cert);
    auto d = runner.decide(false);
    if (d.due)
        return "order now: " + d.reason;
    return "renew after " + formatIsoUtc(d.renewAt);
}

StatusRow statusRow(Session& s, const config::CertConfig& cert) {
    StatusRow row;
    row.name = cert.name;
    row.domains = cert.domains;
    row.backend = cert.backend;
    auto st = s.store().loadState(cert.name).value_or(store::CertState{});
    if (!st.ariCertId.empty()) {
        row.ariStart = isoOrEmpty(st.ariWindowStart);
        row.ariEnd = isoOrEmpty(st.ariWindowEnd);
        row.ariChosen = isoOrEmpty(st.ariChosen);
    }
    row.orderId =
        core::orderFor(core::OrderPurpose::Follow, "", st, s.context().backends.of(cert), cert).id;
    row.orderStatus = escapeForLog(st.lastStatus, 40);
    row.phase = store::phaseName(st.phase);
    row.lastError = st.lastError;
    row.version = s.store().liveVersion(cert.name);
    if (auto meta = s.store().liveMeta(cert.name)) {
        row.notAfter = meta->notAfter;
        if (auto t = parseIsoUtc(meta->notAfter))
            row.daysLeft = (*t - std::time(nullptr)) / 86400;
    }
    row.next = nextAction(s, cert, st);
    return row;
}

void printJson(const std::vector<StatusRow>& rows) {
    Poco::JSON::Array out;
    for (const auto& r : rows) {
        Poco::JSON::Object o;
        o.set("name", r.name);
        Poco::JSON::Array domains;
        for (const auto& d : r.domains)
            domains.add(d);
        o.set("domains", domains);
        if (r.orderId.find_first_not_of("0123456789") == std::string::npos && !r.orderId.empty() &&
            r.orderId.size() <= 18)
            o.set("order_id", std::stoll(r.orderId)); // GoGetSSL: a number, as always
        else
            o.set("order_id",
                  r.orderId.empty() ? Poco::Dynamic::Var(0LL) : Poco::Dynamic::Var(r.orderId));
        o.set("backend", r.backend);
        o.set("order_ref", r.orderId);
        if (r.ariStart.empty()) {
            o.set("ari_window", Poco::Dynamic::Var());
            o.set("ari_chosen", Poco::Dynamic::Var());
        } else {
            Poco::JSON::Object window;
            window.set("start", r.ariStart);
            window.set("end", r.ariEnd);
            o.set("ari_window", window);
            o.set("ari_chosen", r.ariChosen);
        }
        o.set("order_status", r.orderStatus);
        o.set("phase", r.phase);
        o.set("not_after", r.notAfter);
        if (r.daysLeft)
            o.set("days_left", *r.daysLeft);
        if (r.version)
            o.set("version", *r.version);
        o.set("last_error", r.lastError);
        o.set("next_action", r.next);
        if (r.servedBy) {
            o.set("served_by", servedJson(*r.servedBy));
            if (!r.servedError.empty())
                o.set("served_by_error", r.servedError);
        }
        out.add(o);
    }
    Poco::JSON::Stringifier::stringify(out, std::cout, 2);
    std::cout << "\n";
}

void printTable(const std::vector<StatusRow>& rows) {
    std::cout << std::left << std::setw(20) << "NAME" << std::setw(10) << "BACKEND" << std::setw(12)
              << "ORDER" << std::setw(12) << "STATUS" << std::setw(22) << "NOT AFTER"
              << std::setw(6) << "DAYS" << std::setw(8) << "VERSION"
              << "NEXT\n";
    for (const auto& r : rows) {
        std::cout << std::setw(20) << r.name << std::setw(10) << r.backend << std::setw(12)
                  << (r.orderId.empty() ? "-" : shortRef(r.orderId)) << std::setw(12)
                  << (r.orderStatus.empty() ? r.phase : r.orderStatus) << std::setw(22)
                  << (r.notAfter.empty() ? "-" : r.notAfter) << std::setw(6)
                  << (r.daysLeft ? std::to_string(*r.daysLeft) : "-") << std::setw(8)
                  << (r.version ? std::to_string(*r.version) : "-") << r.next << "\n";
        if (!r.lastError.empty())
            std::cout << "    last error: "
                      << escapeForLog(r.lastError, r.lastError.size(), Escape::TerminalOnly)
                      << "\n";
        if (!r.ariStart.empty())
            std::cout << "    renewal window (CA): " << r.ariStart << " to " << r.ariEnd
                      << ", chosen " << r.ariChosen << "\n";
        if (r.servedBy)
            for (const core::ServedName& p : *r.servedBy) {
                const std::string line = core::servedLine(p);
                std::cout << "    served: " << escapeForLog(line, line.size(), Escape::TerminalOnly)
                          << "\n";
            }
        if (!r.servedError.empty())
            std::cout << "    served: cannot tell: " << escapeForLog(r.servedError) << "\n";
    }
}

} // namespace

int statusCommand(const Globals& g, const std::vector<std::string>& argv,
                  const core::InstallerFactory& installers) {
    Args args = parseArgs("status", argv, {"--json", "--served"}, {});
    Session s(g, installers, config::NeedCredentials::No, false);
    std::vector<StatusRow> rows;
    for (const auto* cert : s.select(args.positional)) {
        rows.push_back(statusRow(s, *cert));
        if (args.has("--served")) // asks the server: only when wanted, status stays cheap
            addServedBy(s, *cert, rows.back());
    }
    if (g.json || args.has("--json"))
        printJson(rows);
    else
        printTable(rows);
    return kExitOk;
}

int verifyCommand(const Globals& g, const std::vector<std::string>& argv,
                  const core::InstallerFactory& installers) {
    Args args = parseArgs("verify", argv, {}, {});
    Session s(g, installers, config::NeedCredentials::No, false);
    int worst = kExitOk;
    for (const auto* cert : s.select(args.positional))
        worst = worseExit(worst, core::verifyCertificate(s.context(), *cert));
    return worst;
}

} // namespace certagent::cli
