#include "AriShim.h"

#include "acme/Jws.h"
#include "util/IsoTime.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>

#include <mutex>
#include <sstream>

namespace certagent::test {

struct AriShim::State {
    std::mutex mutex;
    int pebblePort = 0;
    std::string listenerCa;
    int failStatus = 0;
    std::time_t start = 0, end = 0;
    int retryAfter = 3600;
    std::vector<std::string> asked;
    std::vector<std::string> replaces;
};

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void send(HTTPServerResponse& resp, int status, const std::string& body) {
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
}

/// The directory with "renewalInfo" on the shim's own origin (the Host the client used).
std::string withRenewalInfo(const std::string& body, const std::string& host) {
    Poco::JSON::Parser parser;
    auto dir = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    dir->set("renewalInfo", "https://" + host + "/renewal-info/");
    std::ostringstream out;
    dir->stringify(out);
    return out.str();
}

/// The `replaces` member of a newOrder JWS ("" when absent or unreadable).
std::string replacesOf(const std::string& jws) {
    try {
        Poco::JSON::Parser parser;
        auto outer = parser.parse(jws).extract<Poco::JSON::Object::Ptr>();
        auto payload = acme::b64urlDecode(outer->getValue<std::string>("payload"));
        if (!payload)
            return {};
        Poco::JSON::Parser inner;
        auto order = inner.parse(*payload).extract<Poco::JSON::Object::Ptr>();
        return order->optValue<std::string>("replaces", "");
    } catch (const std::exception&) {
        return {};
    }
}

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(std::shared_ptr<AriShim::State> state) : m_state(std::move(state)) {}

    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        if (req.getMethod() == "GET" && req.getURI().rfind("/renewal-info/", 0) == 0)
            return renewalInfo(req, resp);
        forward(req, body, resp);
    }

  private:
    void renewalInfo(HTTPServerRequest& req, HTTPServerResponse& resp) {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->asked.push_back(req.getURI().substr(std::string("/renewal-info/").size()));
        if (m_state->failStatus)
            return send(resp, m_state->failStatus, R"({"type":"about:blank"})");
        resp.set("Retry-After", std::to_string(m_state->retryAfter));
        resp.setContentType("application/json");
        send(resp, 200,
             R"({"suggestedWindow":{"start":")" + formatIsoUtc(m_state->start) + R"(","end":")" +
                 formatIsoUtc(m_state->end) + "\"}}");
    }

    void forward(HTTPServerRequest& req, const std::string& body, HTTPServerResponse& resp) {
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", m_state->listenerCa,
                                   Poco::Net::Context::VERIFY_RELAXED, 9, false);
        Poco::Net::HTTPSClientSession session(
            "127.0.0.1", static_cast<Poco::UInt16>(m_state->pebblePort), context);
        Poco::Net::HTTPRequest out(req.getMethod(), req.getURI(), "HTTP/1.1");
        out.setHost(req.getHost()); // pebble names its URLs (and checks the JWS url) by Host
        for (const char* h : {"Content-Type", "Accept"})
            if (req.has(h))
                out.set(h, req.get(h));
        out.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(out) << body;
        Poco::Net::HTTPResponse in;
        std::string reply;
        Poco::StreamCopier::copyToString(session.receiveResponse(in), reply);
        if (req.getMethod() == "GET" && req.getURI() == "/dir" && in.getStatus() == 200)
            reply = withRenewalInfo(reply, req.getHost());
        if (req.getMethod() == "POST" && req.getURI() == "/order-plz") {
            std::lock_guard<std::mutex> lock(m_state->mutex);
            m_state->replaces.push_back(replacesOf(body));
        }
        for (const auto& [name, value] : in)
            if (name != "Content-Length" && name != "Transfer-Encoding" && name != "Connection")
                resp.add(name, value);
        send(resp, in.getStatus(), reply);
    }

    std::shared_ptr<AriShim::State> m_state;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(std::shared_ptr<AriShim::State> state) : m_state(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(m_state);
    }

  private:
    std::shared_ptr<AriShim::State> m_state;
};

} // namespace

struct AriShim::Server {
    Poco::Net::SecureServerSocket socket;
    Poco::Net::HTTPServer http;
    Server(Poco::Net::Context::Ptr context, std::shared_ptr<State> state)
        : socket(Poco::Net::SocketAddress("127.0.0.1:0"), 64, context),
          http(new Factory(std::move(state)), socket, new Poco::Net::HTTPServerParams) {}
};

AriShim::AriShim(PebbleProcess& pebble) : m_state(std::make_shared<State>()) {
    m_state->pebblePort = pebble.port();
    m_state->listenerCa = pebble.listenerCaPath();
    m_state->start = std::time(nullptr) + 30 * 86400;
    m_state->end = m_state->start + 86400;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, pebble.listenerKeyPath(), pebble.listenerCertPath(), "",
        Poco::Net::Context::VERIFY_NONE, 9, false);
    m_server = std::make_unique<Server>(context, m_state);
    m_server->http.start();
}

AriShim::~AriShim() {
    m_server->http.stopAll(true);
}

std::string AriShim::directoryUrl() const {
    return "https://127.0.0.1:" + std::to_string(m_server->socket.address().port()) + "/dir";
}

void AriShim::setWindow(std::time_t start, std::time_t end, int retryAfterSeconds) {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    m_state->failStatus = 0;
    m_state->start = start;
    m_state->end = end;
    m_state->retryAfter = retryAfterSeconds;
}

void AriShim::failWith(int status) {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    m_state->failStatus = status;
}

std::vector<std::string> AriShim::askedCertIds() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->asked;
}

std::vector<std::string> AriShim::replaces() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->replaces;
}

} // namespace certagent::test
