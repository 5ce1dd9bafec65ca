#include "acme/Account.h"

#include "util/Text.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

namespace certagent::acme {
namespace {

const char* const kStep = "newAccount";

AcmeError needsConfig(const std::string& text) {
    return AcmeError({kStep, 0, {}}, text, {}, kExitUsage);
}

const char* const kEabMissing =
    "the CA requires External Account Binding and no EAB key id / HMAC key is configured";

/// Refuses locally, before any POST, what the directory already says the CA will refuse.
void checkPreconditions(const Directory& dir, const AccountRequest& request) {
    if (dir.externalAccountRequired && !request.eab) {
        throw needsConfig(kEabMissing);
    }
    if (!dir.termsOfService.empty() && !request.agreeTos) {
        throw needsConfig("the CA's terms of service (" + escapeForLog(dir.termsOfService, 200) +
                          ") must be agreed to first (agree_tos)");
    }
}

AccountFacts accountFrom(AcmeClient& client, const Reply& reply) {
    if (reply.location.empty()) {
        throw brokenReply(kStep, "HTTP " + std::to_string(reply.status) + " without Location",
                          reply.status);
    }
    AccountFacts facts = readReply(
        kStep, reply, [&] { return readAccount(reply.body, reply.location, client.origin()); });
    facts.created = reply.status == 201;
    if (facts.status != "valid") {
        throw AcmeError({kStep, reply.status, {}}, "the account is " + facts.status, {});
    }
    client.setAccountUrl(facts.url);
    return facts;
}

} // namespace

std::string contactUrl(const std::string& contact) {
    const std::string url = contact.rfind("mailto:", 0) == 0 ? contact : "mailto:" + contact;
    const bool bad =
        url.size() == 7 || std::any_of(url.begin(), url.end(), [](char c) {
            return c == ',' || c == '?' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
        });
    if (bad) {
        throw ConfigError("contact: not one e-mail address: \"" + escapeForLog(contact, 100) +
                          "\"");
    }
    return url;
}

AccountFacts registerAccount(AcmeClient& client, const AccountRequest& request) {
    const Directory& dir = client.directory();
    checkPreconditions(dir, request);
    Poco::JSON::Object payload;
    if (request.agreeTos) {
        payload.set("termsOfServiceAgreed", true);
    }
    if (!request.contact.empty()) {
        Poco::JSON::Array::Ptr contact = new Poco::JSON::Array;
        for (const std::string& c : request.contact) {
            contact->add(contactUrl(c));
        }
        payload.set("contact", contact);
    }
    if (request.eab) {
        payload.set("externalAccountBinding", eabBinding(request.eab->kid, request.eab->hmacKey,
                                                         client.key(), dir.newAccount));
    }
    try {
        return accountFrom(client,
                           client.postWithJwk(kStep, dir.newAccount, payload, Repeat::Never));
    } catch (const AcmeError& e) {
        if (e.problemType() == "externalAccountRequired" && !request.eab) {
            throw needsConfig(kEabMissing);
        }
        throw;
    }
}

std::optional<AccountFacts> findAccount(AcmeClient& client) {
    const Directory& dir = client.directory();
    Poco::JSON::Object payload;
    payload.set("onlyReturnExisting", true);
    try {
        // Creates nothing, so it may be repeated like a read.
        return accountFrom(client,
                           client.postWithJwk(kStep, dir.newAccount, payload, Repeat::Safe));
    } catch (const AcmeError& e) {
        if (e.problemType() == "accountDoesNotExist") {
            return std::nullopt;
        }
        throw;
    }
}

AccountFacts fetchAccount(AcmeClient& client) {
    const Reply reply = client.postAsGet("account", client.accountUrl());
    AccountFacts facts = readReply("account", reply, [&] {
        return readAccount(reply.body, client.accountUrl(), client.origin());
    });
    return facts;
}

} // namespace certagent::acme
