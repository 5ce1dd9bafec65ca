#include "core/CertJob.h"

#include "core/RunSupport.h"
#include "crypto/CertFacts.h"
#include "crypto/Pem.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

namespace certagent::core {

std::chrono::seconds backoffAfter(int consecutiveFailures) {
    long long s = 300;
    for (int i = 1; i < consecutiveFailures && s < 6 * 3600; ++i)
        s *= 2;
    return std::chrono::seconds(std::min<long long>(s, 6 * 3600));
}

OrderRef orderFor(OrderPurpose purpose, const std::string& adopted, const store::CertState& state,
                  const CaBackend& backend, const config::CertConfig& cert) {
    if (!adopted.empty())
        return OrderRef{backend.kind(), adopted};
    OrderRef ours = state.order.backend == backend.kind() ? state.order : OrderRef{};
    OrderRef configured = backend.configuredOrder(cert).value_or(OrderRef{});
    if (purpose == OrderPurpose::Follow)
        return !ours.empty() ? ours : configured;
    return !configured.empty() ? configured : ours;
}

CertJob::CertJob(RunContext& context, const config::CertConfig& certConfig)
    : CertJob(context, certConfig,
              context.store.loadState(certConfig.name).value_or(store::CertState{})) {}

CertJob::CertJob(RunContext& context, const config::CertConfig& certConfig, store::CertState loaded)
    : ctx(context), cert(certConfig), backend(context.backends.of(certConfig)),
      state(std::move(loaded)), prefix(certConfig.name + ": "),
      fleet(fleetCertOf(certConfig, backend.kind())) {}

void CertJob::save() {
    if (dryRun) // --dry-run writes nothing, not even state
        return;
    if (leading && ctx.coordinator.inFleet())
        ctx.coordinator.saveOrder(fleet, sharedOrder());
    ctx.store.saveState(cert.name, state);
}

SharedOrder CertJob::sharedOrder() const {
    SharedOrder o;
    o.phase = state.phase;
    o.order = state.order;
    o.challenges = challenges;
    o.checkRequested = checkRequested;
    o.attempts = state.attempts;
    o.consecutiveFailures = state.consecutiveFailures;
    o.pendingSince = state.pendingSince;
    o.backoffUntil = state.backoffUntil;
    o.lastStatus = state.lastStatus;
    o.lastError = state.lastError;
    bool pending = state.phase == store::Phase::Ordering ||
                   state.phase == store::Phase::Validating || state.phase == store::Phase::Issued;
    if (pending) {
        if (auto key = ctx.store.readPendingKey(cert.name)) {
            o.keyPem = Secret(std::move(*key));
            o.csrPem = readFileCapped(pendingCsrPath(ctx.store, cert.name), 64 * 1024).value_or("");
        }
    }
    return o;
}

FleetCert fleetCertOf(const config::CertConfig& cert, const std::string& backendKind) {
    std::string domains;
    for (const auto& d : cert.domains)
        domains += (domains.empty() ? "" : ",") + d;
    return FleetCert{cert.name,
                     {{"domains", domains},
                      {"backend", backendKind},
                      {"key", cert.keyType},
                      {"order_id", std::to_string(cert.orderId)}}};
}

int CertJob::record(const std::string& message, int code) {
    logger().error(prefix + message);
    state.lastError = message;
    state.lastErrorAt = ctx.now();
    state.lastFailure = ctx.now();
    return code;
}

int CertJob::recordAndSave(const std::string& message, int code, bool noSave) {
    record(message, code);
    if (!noSave)
        save();
    return code;
}

void CertJob::backOff(std::optional<std::chrono::seconds> retryAfter) {
    state.consecutiveFailures++;
    auto wait = backoffAfter(state.consecutiveFailures);
    if (retryAfter && *retryAfter > wait)
        wait = *retryAfter; // the CA's own wait (429, 503) is never cut short
    state.backoffUntil = ctx.now() + wait.count();
}

int CertJob::serviceFailure(const ServiceError& e) {
    if (e.exitCode() == kExitUsage) {
        // Refused before anything was sent (ACME: EAB or terms of service not configured): the
        // next run after the fix may go ahead at once.
        record(e.what(), e.exitCode());
        save();
        return e.exitCode();
    }
    backOff(e.retryAfter());
    record(std::string(e.what()) + " (next attempt after " + formatIsoUtc(*state.backoffUntil) +
               ")",
           e.exitCode());
    save();
    return e.exitCode();
}

std::string CertJob::orderLabel() const {
    return backend.describe(state.order);
}

OrderContext CertJob::orderContext() const {
    std::string csrPath = pendingCsrPath(ctx.store, cert.name);
    OrderContext oc{cert, readFileCapped(csrPath, 64 * 1024).value_or(""), csrPath, {}};
    if (!dryRun)
        oc.warn = [p = prefix](const std::string& line) { logger().warning(p + line); };
    return oc;
}

bool CertJob::showsDeployed(const OrderView& view) const {
    if (view.chains.empty() || state.deployedSha256.empty() || !ctx.store.hasPendingKey(cert.name))
        return false;
    try {
        return crypto::sha256Fingerprint(*crypto::parseSingleCert(
                   view.chains[0].leafPem, "issued certificate")) == state.deployedSha256;
    } catch (const Error&) {
        return false; // the gate reports it
    }
}

} // namespace certagent::core
