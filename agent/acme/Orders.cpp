#include "acme/Orders.h"

#include "acme/Jws.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <stdexcept>

namespace certagent::acme {

Order newOrder(AcmeClient& client, const Names& names, const std::string& replaces) {
    const char* step = "newOrder";
    Poco::JSON::Array::Ptr identifiers = new Poco::JSON::Array;
    for (const std::string& name : names.list()) {
        Poco::JSON::Object::Ptr id = new Poco::JSON::Object;
        id->set("type", "dns");
        id->set("value", name);
        identifiers->add(id);
    }
    Poco::JSON::Object payload;
    payload.set("identifiers", identifiers);
    if (!replaces.empty()) {
        payload.set("replaces", replaces);
    }
    const Reply reply = client.post(step, client.directory().newOrder, payload, Repeat::Never);
    if (reply.location.empty()) {
        throw brokenReply(step, "HTTP " + std::to_string(reply.status) + " without Location",
                          reply.status);
    }
    // The order exists from here on: a reply we cannot read leaves it to reconciliation.
    return readReply(
        step, reply, [&] { return readOrder(reply.body, reply.location, client.origin(), names); },
        true);
}

Order fetchOrder(AcmeClient& client, const std::string& url, const Names& names) {
    const Reply reply = client.postAsGet("order", url);
    return readReply("order", reply,
                     [&] { return readOrder(reply.body, reply.url, client.origin(), names); });
}

Authorization fetchAuthorization(AcmeClient& client, const std::string& url, const Names& names) {
    const Reply reply = client.postAsGet("authorization", url);
    return readReply("authorization", reply, [&] {
        return readAuthorization(reply.body, reply.url, client.origin(), names);
    });
}

Challenge respondToChallenge(AcmeClient& client, const std::string& url) {
    const Poco::JSON::Object empty;
    const Reply reply = client.post("challenge", url, empty, Repeat::Never);
    return readReply(
        "challenge", reply, [&] { return readChallenge(reply.body, client.origin()); }, true);
}

Order finalizeOrder(AcmeClient& client, const Order& order, const std::string& csrDer,
                    const Names& names) {
    Poco::JSON::Object payload;
    payload.set("csr", b64url(csrDer));
    const Reply reply = client.post("finalize", order.finalize, payload, Repeat::Never);
    return readReply(
        "finalize", reply, [&] { return readOrder(reply.body, order.url, client.origin(), names); },
        true);
}

std::vector<Chain> downloadCertificate(AcmeClient& client, const std::string& certificateUrl) {
    const char* step = "certificate";
    const char* accept = "application/pem-certificate-chain";
    const Reply first = client.postAsGet(step, certificateUrl, accept);
    if (first.alternates.size() > kMaxAlternates) {
        throw brokenReply(step,
                          std::to_string(first.alternates.size()) + " alternate chains (at most " +
                              std::to_string(kMaxAlternates) + " accepted)",
                          first.status);
    }
    std::vector<Chain> chains{{first.url, first.body}};
    for (const std::string& url : first.alternates) {
        chains.push_back({url, client.postAsGet(step, url, accept).body});
    }
    for (const Chain& chain : chains) {
        if (chain.pem.empty() || !isValidUtf8(chain.pem)) {
            throw brokenReply(step,
                              "chain " + escapeForLog(chain.url, 200) + " is empty or not text");
        }
    }
    return chains;
}

std::vector<std::string> listOrders(AcmeClient& client, const std::string& ordersUrl) {
    std::vector<std::string> out;
    std::vector<std::string> seen;
    std::string url = ordersUrl;
    for (int page = 0; page < kMaxOrderListPages && !url.empty(); ++page) {
        if (std::find(seen.begin(), seen.end(), url) != seen.end()) {
            break; // a loop of next links
        }
        seen.push_back(url);
        const Reply reply = client.postAsGet("orders", url);
        const auto urls =
            readReply("orders", reply, [&] { return readOrderList(reply.body, client.origin()); });
        out.insert(out.end(), urls.begin(), urls.end());
        url = reply.next;
    }
    return out;
}

NextStep nextStep(const Order& order) {
    if (order.status == "pending") {
        return NextStep::Authorize;
    }
    if (order.status == "ready") {
        return NextStep::Finalize;
    }
    if (order.status == "processing") {
        return NextStep::Wait;
    }
    if (order.status == "valid") {
        return NextStep::Download;
    }
    return NextStep::Failed;
}

std::optional<ChallengeTask> challengeTask(const Authorization& authz, const std::string& type,
                                           const AccountKey& key) {
    if (type != "http-01" && type != "dns-01") {
        throw std::invalid_argument("challengeTask: unsupported type " + type);
    }
    const Challenge* c = authz.challenge(type);
    if (!c) {
        return std::nullopt;
    }
    ChallengeTask task;
    task.type = type;
    task.name = authz.name();
    task.url = c->url;
    const std::string keyAuth = keyAuthorization(c->token, key);
    if (type == "http-01") {
        task.token = c->token;
        task.content = keyAuth;
    } else {
        task.dnsName = "_acme-challenge." + authz.identifier;
        task.dnsValue = dns01TxtValue(keyAuth);
    }
    return task;
}

} // namespace certagent::acme
