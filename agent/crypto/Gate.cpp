#include "crypto/Gate.h"

#include "crypto/Keys.h"
#include "crypto/OpenSslError.h"
#include "crypto/Pem.h"
#include "util/Error.h"

#include <Poco/String.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

namespace certagent::crypto {

namespace {

using Clock = std::chrono::system_clock;

/// Everything the gate needs once the PEM text is parsed.
struct GateJob {
    X509Ptr leaf;
    std::vector<X509Ptr> helpers;
    const EVP_PKEY* key = nullptr;
    const std::vector<std::string>* names = nullptr;
    std::string trustCaFile;
    Clock::time_point now;
    std::string context;
};

[[noreturn]] void fail(const GateJob& job, GateFailure failure, const std::string& reason) {
    throw GateError(failure, job.context.empty() ? reason : job.context + ": " + reason);
}

std::string subjectCn(const X509& cert) {
    const X509_NAME* name = X509_get_subject_name(&cert);
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0)
        return "(no CN)";
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    std::string out;
    const unsigned char* data = ASN1_STRING_get0_data(s);
    for (int i = 0; i < ASN1_STRING_length(s) && i < 64; ++i)
        out += (data[i] >= 0x20 && data[i] < 0x7f) ? static_cast<char>(data[i]) : '?';
    return "CN=" + out;
}

void checkLeafUsage(const GateJob& job) {
    auto* leaf = job.leaf.get();
    const uint32_t flags = X509_get_extension_flags(leaf);
    if (flags & EXFLAG_CA)
        fail(job, GateFailure::LeafIsCa, "leaf certificate is a CA (basicConstraints CA:TRUE)");
    if (!(flags & EXFLAG_XKUSAGE))
        fail(job, GateFailure::NoServerAuth, "leaf certificate has no extendedKeyUsage");
    if (!(X509_get_extended_key_usage(leaf) & (XKU_SSL_SERVER | XKU_ANYEKU)))
        fail(job, GateFailure::NoServerAuth, "leaf certificate does not allow serverAuth");
}

void checkKeyStrength(const GateJob& job, const X509& cert, const std::string& who) {
    const EVP_PKEY* key = X509_get0_pubkey(&cert);
    if (!key)
        fail(job, GateFailure::WeakKey, who + ": unreadable public key: " + drainOpenSslErrors());
    const int id = EVP_PKEY_get_base_id(key);
    if (id == EVP_PKEY_RSA) {
        const int bits = EVP_PKEY_get_bits(key);
        if (bits < 2048)
            fail(job, GateFailure::WeakKey,
                 who + ": RSA key of " + std::to_string(bits) + " bits (minimum 2048)");
        return;
    }
    if (id == EVP_PKEY_EC) {
        char group[64] = {0};
        size_t len = 0;
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
        ERR_clear_error();
        const std::string g(group, len);
        if (g != "prime256v1" && g != "secp384r1" && g != "secp521r1")
            fail(job, GateFailure::WeakKey,
                 who + ": EC curve " + (g.empty() ? "(unnamed)" : g) + " not allowed");
        return;
    }
    fail(job, GateFailure::WeakKey,
         who + ": key type " + OBJ_nid2sn(id) + " not allowed (RSA or EC P-256/384/521 only)");
}

void checkSignature(const GateJob& job, const X509& cert, const std::string& who) {
    int mdnid = NID_undef;
    int pknid = NID_undef;
    // X509_get_signature_info caches extension data, hence non-const; it does not modify
    // the certificate's content.
    if (X509_get_signature_info(const_cast<X509*>(&cert), &mdnid, &pknid, nullptr, nullptr) != 1)
        ERR_clear_error();
    if (mdnid == NID_sha256 || mdnid == NID_sha384 || mdnid == NID_sha512)
        return;
    fail(job, GateFailure::WeakSignature,
         who + ": signature algorithm " + OBJ_nid2ln(X509_get_signature_nid(&cert)) +
             " not allowed (SHA-256/384/512 only)");
}

void checkNames(const GateJob& job) {
    std::set<std::string> sans;
    for (const auto& name : dnsNames(*job.leaf))
        sans.insert(Poco::toLower(name));
    std::string missing;
    for (const auto& name : *job.names)
        if (!sans.count(Poco::toLower(name)))
            missing += (missing.empty() ? "" : ", ") + name;
    if (missing.empty())
        return;
    std::string have;
    for (const auto& san : sans)
        have += (have.empty() ? "" : ", ") + san;
    if (have.size() > 200)
        have = have.substr(0, 200) + "...";
    fail(job, GateFailure::NamesNotCovered,
         "certificate does not cover " + missing + " (SANs: " + (have.empty() ? "none" : have) +
             ")");
}

/// Per-verification state seen by the verify callback.
struct VerifyState {
    time_t latestAcceptedNotBefore = 0; ///< now + skew
    bool notYetValid = false;
    std::string notYetValidWho;
};

int verifyCallback(int ok, X509_STORE_CTX* ctx) {
    if (ok)
        return 1;
    if (X509_STORE_CTX_get_error(ctx) != X509_V_ERR_CERT_NOT_YET_VALID)
        return 0;
    // Not yet valid: tolerate a small skew; beyond it, keep verifying so that a real refusal
    // wins over a defer, and let the caller defer afterwards.
    auto* state = static_cast<VerifyState*>(X509_STORE_CTX_get_app_data(ctx));
    X509* cert = X509_STORE_CTX_get_current_cert(ctx);
    if (state && cert &&
        X509_cmp_time(X509_get0_notBefore(cert), &state->latestAcceptedNotBefore) != -1) {
        state->notYetValid = true;
        state->notYetValidWho = subjectCn(*cert);
    }
    return 1;
}

X509StorePtr makeStore(const GateJob& job) {
    X509StorePtr store(X509_STORE_new());
    if (!store)
        throwOpenSsl("verifying chain: creating store");
    if (job.trustCaFile.empty()) {
        if (X509_STORE_set_default_paths(store.get()) != 1)
            throwOpenSsl("verifying chain: loading the system trust store");
    } else if (X509_STORE_load_file(store.get(), job.trustCaFile.c_str()) != 1) {
        throw ConfigError("[trust] ca_file " + job.trustCaFile +
                          ": cannot load trust anchors: " + drainOpenSslErrors());
    }
    return store;
}

GateFailure failureOf(int err) {
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return GateFailure::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return GateFailure::NotYetValid;
    case X509_V_ERR_INVALID_PURPOSE:
        return GateFailure::NoServerAuth;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
        return GateFailure::WeakKey;
    case X509_V_ERR_CA_MD_TOO_WEAK:
        return GateFailure::WeakSignature;
    default:
        return GateFailure::NoTrustedPath;
    }
}

std::string isoTime(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return "?";
    }
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

[[noreturn]] void failVerify(const GateJob& job, X509_STORE_CTX* ctx) {
    const int err = X509_STORE_CTX_get_error(ctx);
    const X509* at = X509_STORE_CTX_get_current_cert(ctx);
    ERR_clear_error();
    const GateFailure failure = failureOf(err);
    std::string where = "depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx));
    if (at)
        where += ", " + subjectCn(*at);
    if (at && failure == GateFailure::Expired)
        where += ", notAfter " + isoTime(X509_get0_notAfter(at));
    std::string reason = X509_verify_cert_error_string(err);
    if (failure == GateFailure::NoTrustedPath)
        reason = "no valid path to a trusted root in " +
                 (job.trustCaFile.empty() ? std::string("the system store") : job.trustCaFile) +
                 ": " + reason;
    fail(job, failure, "verifying chain: " + reason + " (" + where + ")");
}

/// X509_verify_cert at job.now; returns the full path (leaf ... anchor).
X509StackPtr buildPath(const GateJob& job) {
    X509StorePtr store = makeStore(job);
    X509StackPtr untrusted(sk_X509_new_null());
    if (!untrusted)
        throwOpenSsl("verifying chain");
    for (const auto& cert : job.helpers) {
        if (X509_up_ref(cert.get()) != 1 || sk_X509_push(untrusted.get(), cert.get()) == 0)
            throwOpenSsl("verifying chain");
    }
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), job.leaf.get(), untrusted.get()) != 1)
        throwOpenSsl("verifying chain");
    VerifyState state;
    state.latestAcceptedNotBefore = Clock::to_time_t(job.now + kNotBeforeSkew);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_TRUSTED_FIRST);
    X509_VERIFY_PARAM_set_time(param, Clock::to_time_t(job.now));
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_STORE_CTX_set_app_data(ctx.get(), &state);
    X509_STORE_CTX_set_verify_cb(ctx.get(), verifyCallback);
    if (X509_verify_cert(ctx.get()) != 1)
        failVerify(job, ctx.get());
    X509StackPtr path(X509_STORE_CTX_get1_chain(ctx.get()));
    if (!path)
        throwOpenSsl("verifying chain: reading the path");
    if (state.notYetValid)
        fail(job, GateFailure::NotYetValid,
             "certificate " + state.notYetValidWho + " is not valid yet (beyond " +
                 std::to_string(kNotBeforeSkew.count()) + "s clock skew); retry later");
    return path;
}

VerifiedCert runGate(GateJob& job) {
    if (!job.key)
        throw CryptoError((job.context.empty() ? "" : job.context + ": ") +
                          "verifying certificate: no local private key");
    if (!keyMatches(*job.leaf, *job.key))
        fail(job, GateFailure::KeyMismatch,
             "leaf certificate does not match the local private key");
    checkLeafUsage(job);
    checkKeyStrength(job, *job.leaf, "leaf");
    checkSignature(job, *job.leaf, "leaf");
    checkNames(job);
    X509StackPtr path = buildPath(job);
    VerifiedCert out;
    const int n = sk_X509_num(path.get());
    for (int i = 1; i + 1 < n; ++i) { // drop the leaf (0) and the trust anchor (n-1)
        X509* cert = sk_X509_value(path.get(), i);
        const std::string who = "intermediate " + subjectCn(*cert);
        checkKeyStrength(job, *cert, who);
        checkSignature(job, *cert, who);
        if (X509_up_ref(cert) != 1)
            throwOpenSsl("verifying chain");
        out.chain.emplace_back(cert);
    }
    out.facts = certFacts(*job.leaf);
    out.certPem = certToPem(*job.leaf);
    for (const auto& cert : out.chain)
        out.chainPem += certToPem(*cert);
    out.fullchainPem = out.certPem + out.chainPem;
    out.leaf = std::move(job.leaf);
    return out;
}

} // namespace

const char* gateFailureName(GateFailure failure) {
    switch (failure) {
    case GateFailure::BadPem:
        return "bad-pem";
    case GateFailure::BadKey:
        return "bad-key";
    case GateFailure::NoTrustedPath:
        return "no-trusted-path";
    case GateFailure::KeyMismatch:
        return "key-mismatch";
    case GateFailure::NamesNotCovered:
        return "names-not-covered";
    case GateFailure::Expired:
        return "expired";
    case GateFailure::NotYetValid:
        return "not-yet-valid";
    case GateFailure::LeafIsCa:
        return "leaf-is-ca";
    case GateFailure::NoServerAuth:
        return "no-server-auth";
    case GateFailure::WeakKey:
        return "weak-key";
    case GateFailure::WeakSignature:
        return "weak-signature";
    }
    return "unknown";
}

VerifiedCert verifyIssued(const GateInput& input) {
    GateJob job;
    job.context = input.context;
    try {
        job.leaf = parseSingleCert(input.crtCode, "crt_code");
        job.helpers = parseCertBundle(input.caCode, "ca_code");
    } catch (const GateError& e) {
        fail(job, e.failure(), e.what());
    }
    job.key = input.localKey;
    job.names = &input.names;
    job.trustCaFile = input.trustCaFile;
    job.now = input.now;
    return runGate(job);
}

void verifyServerChain(const std::vector<X509Ptr>& certs, const std::string& trustCaFile,
                       std::chrono::system_clock::time_point now) {
    if (certs.empty())
        throw CryptoError("verifying chain: no certificate");
    GateJob job;
    for (const auto& cert : certs) { // the job holds references, as it does for parsed input
        if (X509_up_ref(cert.get()) != 1)
            throwOpenSsl("verifying chain");
        X509Ptr held(cert.get());
        if (job.leaf)
            job.helpers.push_back(std::move(held));
        else
            job.leaf = std::move(held);
    }
    job.trustCaFile = trustCaFile;
    job.now = now;
    buildPath(job);
}

LiveCheck inspectLive(const LiveFiles& files) {
    LiveCheck check;
    GateJob job;
    job.names = &files.names;
    job.trustCaFile = files.trustCaFile;
    job.now = files.now;
    job.context = files.context;
    const std::string prefix = files.context.empty() ? "" : files.context + ": ";
    try {
        job.leaf = parseSingleCert(files.certPem, "cert.pem");
        check.facts = certFacts(*job.leaf);
        check.hasFacts = true;
        job.helpers = parseCertBundleAllowEmpty(files.chainPem, "chain.pem");
        EvpPkeyPtr key;
        try {
            key = privateKeyFromPem(files.keyPem, "privkey.pem");
        } catch (const CryptoError& e) {
            check.failure = GateFailure::BadKey;
            check.message = prefix + e.what();
            return check;
        }
        job.key = key.get();
        runGate(job);
        check.ok = true;
    } catch (const GateError& e) {
        check.failure = e.failure();
        check.message = (e.failure() == GateFailure::BadPem ? prefix : "") + e.what();
    } catch (const CryptoError& e) { // e.g. an unreadable validity date in cert.pem
        check.failure = GateFailure::BadPem;
        check.message = prefix + e.what();
    }
    return check;
}

} // namespace certagent::crypto
