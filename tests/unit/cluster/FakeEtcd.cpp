#include "FakeEtcd.h"

#include <Poco/Base64Encoder.h>

#include <sstream>
#include <stdexcept>

namespace certagent::cluster::test {
namespace {

class FakeTransport : public api::HttpTransport {
  public:
    FakeTransport(std::string endpoint, std::shared_ptr<Script> script)
        : m_endpoint(std::move(endpoint)), m_script(std::move(script)) {}

    api::HttpResponse send(const api::HttpRequest& request, std::chrono::milliseconds) override {
        std::string auth;
        for (const auto& [name, value] : request.headers) {
            if (name == "Authorization") {
                auth = value;
            }
        }
        m_script->sent.push_back({m_endpoint, request, auth});
        if (m_script->clock) {
            m_script->clock->advance(m_script->cost);
        }
        if (m_script->steps.empty()) {
            throw std::logic_error("unscripted request to " + m_endpoint + request.target);
        }
        Step step = m_script->steps.front();
        m_script->steps.pop_front();
        if (step.endpoint != m_endpoint) {
            throw std::logic_error("request " + request.target + " went to " + m_endpoint +
                                   ", the script expected " + step.endpoint);
        }
        if (step.failure) {
            throw *step.failure;
        }
        return step.response;
    }

  private:
    std::string m_endpoint;
    std::shared_ptr<Script> m_script;
};

} // namespace

Step answer(const std::string& endpoint, int status, std::string body) {
    Step s;
    s.endpoint = endpoint;
    s.response.status = status;
    s.response.body = std::move(body);
    return s;
}

Step ok(const std::string& endpoint, std::string body) {
    return answer(endpoint, 200, std::move(body));
}

Step broken(const std::string& endpoint, const std::string& what, bool retryable, bool sent) {
    Step s;
    s.endpoint = endpoint;
    s.failure.emplace(what, retryable, sent);
    return s;
}

Harness::Harness() {
    settings.endpoints = {kE1, kE2, kE3};
    settings.timeout = std::chrono::seconds(3);
    settings.tls.caFile = "/etc/certagent/etcd-ca.pem"; // not read: the transports are fakes
    settings.log = [this](const std::string& line) { logs.push_back(line); };
}

std::unique_ptr<EtcdClient> Harness::client() {
    auto s = script;
    return std::make_unique<EtcdClient>(
        settings,
        [s](const std::string& endpoint) { return std::make_unique<FakeTransport>(endpoint, s); },
        clock);
}

std::string b64(const std::string& text) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << text;
    encoder.close();
    return out.str();
}

std::string header(long long revision) {
    return R"("header":{"cluster_id":"6001611773266757492","member_id":"13049071153751544597",)"
           R"("revision":")" +
           std::to_string(revision) + R"(","raft_term":"2"})";
}

std::string kv(const std::string& key, const std::string& value, long long create, long long mod,
               long long version, const std::string& lease) {
    std::string out = R"({"key":")" + b64(key) + R"(","create_revision":")" +
                      std::to_string(create) + R"(","mod_revision":")" + std::to_string(mod) +
                      R"(","version":")" + std::to_string(version) + "\"";
    if (!value.empty()) {
        out += R"(,"value":")" + b64(value) + "\"";
    }
    if (!lease.empty()) {
        out += R"(,"lease":")" + lease + "\"";
    }
    return out + "}";
}

std::string gatewayError(int code, const std::string& message) {
    return R"({"error":")" + message + R"(","message":")" + message + R"(","code":)" +
           std::to_string(code) + "}";
}

} // namespace certagent::cluster::test
