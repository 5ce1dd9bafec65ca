#include "FakeAcme.h"

#include "TestEnv.h"
#include "crypto/Keys.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace certagent::acme::test {
namespace {

class Transport : public api::HttpTransport {
  public:
    explicit Transport(FakeCa& ca) : m_ca(ca) {}
    api::HttpResponse send(const api::HttpRequest& request, std::chrono::milliseconds) override {
        return m_ca.serve(request);
    }

  private:
    FakeCa& m_ca;
};

std::string part(const Poco::JSON::Object& obj, const std::string& key) {
    return obj.getValue<std::string>(key);
}

} // namespace

std::string directoryJson(const std::string& metaJson, bool withRenewalInfo) {
    return std::string(R"({"newNonce":"https://ca.test/nonce","newAccount":")") + kNewAccountUrl +
           R"(","newOrder":")" + kNewOrderUrl +
           R"(","revokeCert":"https://ca.test/revoke","keyChange":"https://ca.test/key-change",)" +
           (withRenewalInfo ? R"("renewalInfo":"https://ca.test/ari",)" : "") + R"("meta":)" +
           metaJson + "}";
}

Step answer(int status, std::string body, std::vector<std::pair<std::string, std::string>> h) {
    return api::test::reply(status, std::move(body), std::move(h));
}

Step problem(int status, const std::string& type, const std::string& detail,
             std::vector<std::pair<std::string, std::string>> headers) {
    headers.emplace_back("Content-Type", "application/problem+json");
    return answer(status,
                  R"({"type":"urn:ietf:params:acme:error:)" + type + R"(","detail":")" + detail +
                      R"(","status":)" + std::to_string(status) + "}",
                  std::move(headers));
}

Step broken(const std::string& what, bool retryable, bool sent) {
    return api::test::fail(what, retryable, sent);
}

std::string orderJson(const std::string& status, const std::vector<std::string>& names,
                      const std::vector<std::string>& authzUrls, const std::string& extra) {
    std::string ids, authz;
    for (const auto& n : names) {
        ids += (ids.empty() ? "" : ",") + std::string(R"({"type":"dns","value":")") + n + "\"}";
    }
    for (const auto& a : authzUrls) {
        authz += (authz.empty() ? "\"" : ",\"") + a + "\"";
    }
    return R"({"status":")" + status + R"(","identifiers":[)" + ids + R"(],"authorizations":[)" +
           authz + R"(],"finalize":")" + kFinalizeUrl + "\"" + extra + "}";
}

std::string authzJson(const std::string& identifier, bool wildcard, const std::string& token,
                      const std::string& status) {
    std::string out = R"({"identifier":{"type":"dns","value":")" + identifier + R"("},"status":")" +
                      status + "\",";
    if (wildcard) {
        out += R"("wildcard":true,)";
    }
    return out + R"("challenges":[{"type":"http-01","url":")" + kChallengeUrl +
           R"(","status":"pending","token":")" + token +
           R"("},{"type":"dns-01","url":"https://ca.test/chall/2","status":"pending","token":")" +
           token + R"("}]})";
}

FakeCa::FakeCa() {
    settings.directoryUrl = kDirectoryUrl;
    settings.log = [this](const std::string& line) { logs.push_back(line); };
    settings.wallClock = [] {
        return std::chrono::system_clock::from_time_t(1445412480); // Wed, 21 Oct 2015 07:28:00
    };
}

std::unique_ptr<AcmeClient> FakeCa::client(bool withAccount) {
    return client(AccountKey(crypto::generateKey(crypto::KeyType::EcP256)), withAccount);
}

std::unique_ptr<AcmeClient> FakeCa::client(AccountKey key, bool withAccount) {
    auto c = std::make_unique<AcmeClient>(settings, std::move(key),
                                          std::make_unique<Transport>(*this), clock);
    if (withAccount) {
        c->setAccountUrl(kAccountUrl);
    }
    return c;
}

api::HttpResponse FakeCa::serve(const api::HttpRequest& request) {
    requests.push_back(request);
    Step step;
    if (request.method == "GET" && request.target == "/dir") {
        step = answer(200, directory, {{"Replay-Nonce", "-"}}); // like pebble: none here
    } else if (request.method == "HEAD" && request.target == "/nonce") {
        step = answer(200, "");
    } else if (!steps.empty()) {
        step = steps.front();
        steps.pop_front();
    } else {
        step = answer(599, "no scripted reply");
    }
    if (step.failure) {
        throw *step.failure;
    }
    api::HttpResponse out = step.response;
    if (out.header("Replay-Nonce").empty()) {
        out.headers.emplace_back("Replay-Nonce", "nonce" + std::to_string(++nonceCounter));
    } else if (out.header("Replay-Nonce") == "-") {
        out.headers.erase(std::remove_if(out.headers.begin(), out.headers.end(),
                                         [](const auto& h) { return h.first == "Replay-Nonce"; }),
                          out.headers.end());
    }
    return out;
}

std::vector<api::HttpRequest> FakeCa::calls() const {
    std::vector<api::HttpRequest> out;
    for (const auto& r : requests) {
        if (!(r.method == "GET" && r.target == "/dir") && r.method != "HEAD") {
            out.push_back(r);
        }
    }
    return out;
}

int FakeCa::count(const std::string& method, const std::string& target) const {
    int n = 0;
    for (const auto& r : requests) {
        n += r.method == method && r.target == target ? 1 : 0;
    }
    return n;
}

SentJws decodeJws(const api::HttpRequest& request) {
    Poco::JSON::Parser parser;
    const auto jws = parser.parse(request.body).extract<Poco::JSON::Object::Ptr>();
    BOOST_REQUIRE(jws->size() == 3u);
    SentJws out;
    out.protectedB64 = part(*jws, "protected");
    out.payloadB64 = part(*jws, "payload");
    Poco::JSON::Parser headerParser;
    out.header = headerParser.parse(b64urlDecode(out.protectedB64).value())
                     .extract<Poco::JSON::Object::Ptr>();
    out.payload = out.payloadB64.empty() ? std::string() : b64urlDecode(out.payloadB64).value();
    out.signature = b64urlDecode(part(*jws, "signature")).value();
    return out;
}

AcmeError expectAcmeError(const std::function<void()>& f) {
    return certagent::test::expectThrow<AcmeError>(f);
}

} // namespace certagent::acme::test
