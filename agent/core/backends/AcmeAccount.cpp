#include "core/backends/AcmeAccount.h"

#include "acme/Wire.h"
#include "crypto/Keys.h"
#include "util/Error.h"
#include "util/FaultPoint.h"
#include "util/IsoTime.h"
#include "util/Secret.h"
#include "util/Text.h"
#include "util/TrustedFile.h"

#include <Poco/String.h>

#include <algorithm>

namespace certagent::core {

namespace {

constexpr std::size_t kMaxEabFileBytes = 4096;

crypto::KeyType accountKeyType(const std::string& name) {
    return name == "ec-p384" ? crypto::KeyType::EcP384 : crypto::KeyType::EcP256;
}

} // namespace

AcmeAccount::AcmeAccount(std::string kind, const config::AcmeSettings& settings,
                         AcmeEnvironment env)
    : m_kind(std::move(kind)), m_settings(settings), m_env(std::move(env)) {
    if (!m_env.accounts)
        throw Error("AcmeAccount: no account storage");
    if (!m_env.now)
        m_env.now = [] { return std::time(nullptr); };
}

AcmeAccount::~AcmeAccount() = default;

std::string AcmeAccount::where() const {
    return m_env.accounts->where(m_settings.directory);
}

std::unique_ptr<acme::AcmeClient> AcmeAccount::makeClient(acme::AccountKey key) {
    acme::ClientSettings cs;
    cs.directoryUrl = m_settings.directory;
    cs.caFile = m_settings.caFile;
    cs.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings.timeout);
    cs.callDeadline = std::max<std::chrono::milliseconds>(cs.timeout * 2, std::chrono::minutes(1));
    cs.log = m_env.log;
    std::unique_ptr<api::HttpTransport> transport;
    if (m_env.transport)
        transport =
            m_env.transport(acme::Origin(m_settings.directory, m_kind + " directory").base());
    return std::make_unique<acme::AcmeClient>(cs, std::move(key), std::move(transport),
                                              m_env.clock ? *m_env.clock : api::systemClock());
}

std::optional<acme::AccountKey> AcmeAccount::storedKey() {
    auto pem = m_env.accounts->key(m_settings.directory);
    if (!pem)
        return std::nullopt;
    return acme::AccountKey::fromPem(pem->reveal(), where() + "/account.key");
}

std::optional<AcmeAccountRecord> AcmeAccount::kept() {
    if (!m_record)
        m_record = m_env.accounts->record(m_settings.directory);
    return m_record;
}

void AcmeAccount::keep(const acme::AccountFacts& facts) {
    AcmeAccountRecord r = kept().value_or(AcmeAccountRecord{});
    if (r.accountUrl != facts.url || r.createdAt.empty())
        r.createdAt = formatIsoUtc(m_env.now());
    r.directoryUrl = m_settings.directory;
    r.accountUrl = facts.url;
    r.ordersUrl = facts.orders;
    r.contact = facts.contact.empty() ? m_settings.contact : facts.contact;
    r.eabKid = m_settings.eabKid;
    r.directoryBody = m_client->directoryBody();
    m_env.accounts->saveRecord(r);
    m_record = r;
}

acme::AcmeClient& AcmeAccount::client() {
    if (!m_ready) {
        m_client.reset();
        ensureAccount();
    }
    return *m_client;
}

void AcmeAccount::sync() {
    m_env.accounts->sync(m_settings.directory);
    m_record.reset(); // read again: the shared account may have replaced it
}

acme::AccountFacts AcmeAccount::shareOrAdopt(const acme::AccountFacts& facts) {
    faultPoint("acme.before-share");
    if (m_env.accounts->share(m_settings.directory))
        return facts;
    // Another host shared its account first: this one's is not used (one account per fleet).
    m_ready = false;
    m_client.reset();
    m_record.reset();
    return ensureAccount();
}

acme::AccountFacts AcmeAccount::ensureAccount() {
    sync();
    auto record = kept();
    auto key = storedKey();
    if (key && record) {
        m_client = makeClient(std::move(*key));
        m_client->setAccountUrl(record->accountUrl);
        m_client->directory(); // fresh once per run of order work; kept for idle runs
        if (m_client->directoryBody() != record->directoryBody) {
            record->directoryBody = m_client->directoryBody();
            m_env.accounts->saveRecord(*record);
            m_record = record;
        }
        m_ready = true;
        acme::AccountFacts facts;
        facts.url = record->accountUrl;
        facts.orders = record->ordersUrl;
        facts.contact = record->contact;
        facts.status = "valid";
        return facts;
    }
    if (key) // the record is gone but the key is kept: the CA knows the account by its key
        return findOrRegister(std::move(*key));
    crypto::EvpPkeyPtr pkey = crypto::generateKey(accountKeyType(m_settings.accountKey));
    return registerWith(makeClient(acme::AccountKey(std::move(pkey))), true);
}

acme::AccountFacts AcmeAccount::findOrRegister(acme::AccountKey key) {
    auto fresh = makeClient(std::move(key));
    if (auto found = acme::findAccount(*fresh)) {
        m_client = std::move(fresh);
        keep(*found);
        m_ready = true;
        return shareOrAdopt(*found);
    }
    return registerWith(std::move(fresh), false);
}

acme::AccountFacts AcmeAccount::registerWith(std::unique_ptr<acme::AcmeClient> fresh,
                                             bool keyIsNew) {
    acme::AccountRequest request;
    request.contact = m_settings.contact;
    request.agreeTos = m_settings.agreeTos;
    std::optional<acme::Eab> eab;
    if (!m_settings.eabKid.empty()) {
        Secret text = readTrustedFile(m_settings.eabHmacFile, escapeForLog(m_settings.eabHmacFile),
                                      TrustedFileRules{0600, true, kMaxEabFileBytes});
        std::string trimmed = Poco::trim(text.reveal());
        eab = acme::Eab{m_settings.eabKid, acme::decodeEabKey(trimmed, "eab_hmac_file")};
        wipe(trimmed);
        request.eab = &*eab;
    }
    // The key is kept before anything else once the CA may know it, so that a lost answer is
    // found again by the key (onlyReturnExisting) instead of leaving an account nobody can use.
    auto keepKey = [&] {
        if (keyIsNew) {
            std::string pem = crypto::privateKeyToPem(fresh->key().pkey());
            m_env.accounts->addKey(m_settings.directory, pem);
            wipe(pem);
        }
    };
    acme::AccountFacts facts;
    try {
        facts = acme::registerAccount(*fresh, request);
    } catch (const acme::AcmeError& e) {
        if (e.maybeProcessed())
            keepKey();
        throw;
    }
    keepKey();
    m_client = std::move(fresh);
    keep(facts);
    m_ready = true;
    return shareOrAdopt(facts);
}

acme::AcmeClient* AcmeAccount::reader() {
    if (m_client)
        return m_client.get();
    auto record = kept();
    if (!record)
        return nullptr;
    auto key = storedKey();
    if (!key)
        return nullptr;
    m_client = makeClient(std::move(*key));
    m_client->setAccountUrl(record->accountUrl);
    if (!record->directoryBody.empty())
        m_client->useDirectory(record->directoryBody); // an idle run asks the CA nothing more
    return m_client.get();
}

acme::AccountFacts AcmeAccount::registerNow() {
    sync();
    if (auto key = storedKey())
        return findOrRegister(std::move(*key));
    m_ready = false;
    m_client.reset();
    return ensureAccount();
}

std::optional<acme::AccountFacts> AcmeAccount::fetch() {
    if (!kept() || !m_env.accounts->key(m_settings.directory))
        return std::nullopt;
    return acme::fetchAccount(client());
}

std::string AcmeAccount::ordersUrl() {
    acme::AcmeClient& c = client();
    if (m_record && !m_record->ordersUrl.empty())
        return m_record->ordersUrl;
    acme::AccountFacts facts = acme::fetchAccount(c);
    if (!facts.orders.empty())
        keep(facts);
    return facts.orders;
}

} // namespace certagent::core
