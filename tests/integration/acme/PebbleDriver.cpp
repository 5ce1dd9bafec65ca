#include "PebbleDriver.h"

#include "TestCa.h"
#include "acme/Account.h"
#include "crypto/Csr.h"
#include "crypto/Keys.h"

#include <boost/test/unit_test.hpp>

#include <thread>

namespace certagent::acme::test {

std::unique_ptr<AcmeClient> PebbleDriver::client() {
    return client(AccountKey(crypto::generateKey(crypto::KeyType::EcP256)));
}

std::unique_ptr<AcmeClient> PebbleDriver::client(AccountKey key) {
    ClientSettings s;
    s.directoryUrl = m_pebble.directoryUrl();
    s.caFile = m_pebble.listenerCaPath();
    s.timeout = std::chrono::seconds(20);
    s.callDeadline = std::chrono::seconds(60);
    s.retryBase = std::chrono::milliseconds(100);
    s.log = [this](const std::string& line) { logs.push_back(line); };
    return std::make_unique<AcmeClient>(s, std::move(key));
}

AccountFacts PebbleDriver::newAccount(AcmeClient& client) {
    AccountRequest request;
    request.agreeTos = true;
    request.contact = {"ops@example.test"};
    return registerAccount(client, request);
}

Order PebbleDriver::waitWhile(AcmeClient& client, const Order& order, const Names& names,
                              const std::string& status) {
    Order now = order;
    for (int i = 0; i < 300 && now.status == status; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        now = fetchOrder(client, order.url, names);
    }
    return now;
}

Issued PebbleDriver::issue(AcmeClient& client, const std::vector<std::string>& names,
                           const std::string& type, const std::string& webroot) {
    const Names wanted(names);
    Issued out;
    out.names = names;
    Order order = newOrder(client, wanted);
    std::vector<ChallengeTask> tasks;
    for (const std::string& url : order.authorizations) {
        const Authorization authz = fetchAuthorization(client, url, wanted);
        if (authz.status == "valid") {
            continue; // reused
        }
        const auto task = challengeTask(authz, type, client.key());
        BOOST_REQUIRE_MESSAGE(task, "no " << type << " challenge for " << authz.name());
        if (type == "http-01") {
            certagent::test::writeFile(webroot + "/.well-known/acme-challenge/" + task->token,
                                       task->content);
        } else {
            m_pebble.addTxt(task->dnsName, task->dnsValue);
        }
        tasks.push_back(*task);
    }
    for (const ChallengeTask& task : tasks) {
        respondToChallenge(client, task.url);
    }
    order = waitWhile(client, order, wanted, "pending");
    BOOST_REQUIRE_MESSAGE(nextStep(order) == NextStep::Finalize,
                          "order " << order.status << ": "
                                   << (order.error ? order.error->describe() : std::string()));
    out.key = crypto::generateKey(crypto::KeyType::EcP256);
    order =
        finalizeOrder(client, order, crypto::csrToDer(*crypto::makeCsr(*out.key, names)), wanted);
    order = waitWhile(client, order, wanted, "processing");
    BOOST_REQUIRE_MESSAGE(nextStep(order) == NextStep::Download, "order " << order.status);
    out.chains = downloadCertificate(client, order.certificate);
    out.order = order;
    for (const ChallengeTask& task : tasks) {
        if (task.type == "dns-01") {
            m_pebble.clearTxt(task.dnsName);
        }
    }
    return out;
}

crypto::VerifiedCert PebbleDriver::verify(const Issued& issued, std::size_t i,
                                          const std::string& rootPath) {
    const auto certs = certagent::test::certsFromPem(issued.chains.at(i).pem);
    BOOST_REQUIRE(!certs.empty());
    crypto::GateInput in;
    in.crtCode = certagent::test::toPem(*certs[0]);
    for (std::size_t c = 1; c < certs.size(); ++c) {
        in.caCode += certagent::test::toPem(*certs[c]);
    }
    in.localKey = issued.key.get();
    in.names = issued.names;
    in.trustCaFile = rootPath;
    in.context = "pebble chain " + std::to_string(i);
    return crypto::verifyIssued(in);
}

} // namespace certagent::acme::test
