// The API transport's TLS floor: a local Poco HTTPS server that speaks at most TLS 1.1 (with
// OpenSSL's security level lowered so it can at all) is refused before any request is sent; the
// same server allowed TLS 1.2 is accepted, so the refusal is about the version alone.

#include "TestCa.h"
#include "TestEnv.h"
#include "api/ApiClient.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <boost/test/unit_test.hpp>
#include <openssl/ssl.h>

#include <atomic>

using namespace certagent;
using namespace certagent::api;
using certagent::test::TempDir;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(std::atomic<int>& requests) : m_requests(requests) {}
    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        ++m_requests;
        bool auth = req.getURI().rfind("/api/auth/", 0) == 0;
        std::string body = auth ? R"({"key":"tlstestkey0123456789","success":true})"
                                : R"({"balance":"12.50","currency":"USD","success":true})";
        resp.setContentType("application/json");
        resp.sendBuffer(body.data(), body.size());
    }

  private:
    std::atomic<int>& m_requests;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(std::atomic<int>& requests) : m_requests(requests) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(m_requests);
    }

  private:
    std::atomic<int>& m_requests;
};

/// An HTTPS server on 127.0.0.1:0 (leaf for 127.0.0.1 from a fresh CA) that speaks TLS 1.0 up
/// to `maxVersion` only, at OpenSSL security level 0 so the old versions are usable at all.
struct OldTlsServer {
    TempDir dir;
    std::atomic<int> requests{0};
    std::unique_ptr<Poco::Net::HTTPServer> server;
    int port = 0;

    explicit OldTlsServer(int maxVersion) {
        auto ca = test::TestCa::makeRoot("certagent tls version test CA");
        const auto key = test::makeKey();
        test::CertSpec spec;
        spec.names = {"127.0.0.1"};
        test::writeFile(dir / "leaf.pem", test::toPem(*ca.issue(*key, spec)));
        test::writeFile(dir / "leaf.key", test::keyToPem(*key), 0600);
        test::writeFile(dir / "ca.pem", ca.certPem());
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
            Poco::Net::Context::TLS_SERVER_USE, dir / "leaf.key", dir / "leaf.pem", "",
            Poco::Net::Context::VERIFY_NONE, 9, false, "ALL:@SECLEVEL=0");
        SSL_CTX* raw = ctx->sslContext();
        SSL_CTX_set_security_level(raw, 0);
        BOOST_TEST_REQUIRE(SSL_CTX_set_min_proto_version(raw, TLS1_VERSION) == 1);
        BOOST_TEST_REQUIRE(SSL_CTX_set_max_proto_version(raw, maxVersion) == 1);
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16, ctx);
        port = socket.address().port();
        server = std::make_unique<Poco::Net::HTTPServer>(new Factory(requests), socket,
                                                         new Poco::Net::HTTPServerParams);
        server->start();
    }
    ~OldTlsServer() { server->stopAll(true); }

    std::unique_ptr<ApiClient> client() {
        ApiSettings s;
        s.url = "https://127.0.0.1:" + std::to_string(port) + "/api";
        s.caFile = dir / "ca.pem";
        s.timeout = std::chrono::seconds(10);
        s.retryDeadline = std::chrono::seconds(2);
        s.retryBase = std::chrono::milliseconds(50);
        s.log = [](const std::string&) {};
        return std::make_unique<ApiClient>(
            std::move(s), Credentials{"tls-user", Secret(std::string("tls-pass"))});
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ApiTlsVersion)

BOOST_AUTO_TEST_CASE(server_offering_tls_1_1_at_most_is_refused_before_any_request) {
    OldTlsServer server(TLS1_1_VERSION);
    // The server really does speak TLS 1.1: a client that allows it completes a handshake.
    auto probe = test::runCommand({"openssl", "s_client", "-connect",
                                   "127.0.0.1:" + std::to_string(server.port), "-tls1_1", "-cipher",
                                   "ALL:@SECLEVEL=0", "-brief"},
                                  {}, 30);
    BOOST_TEST(probe.output.find("Protocol version: TLSv1.1") != std::string::npos, probe.output);
    try {
        server.client()->getAccountBalance();
        BOOST_FAIL("a TLS 1.1 server was accepted");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4, e.exitCode() << ": " << e.what());
        BOOST_TEST(std::string(e.what()).find("tls-pass") == std::string::npos, e.what());
        BOOST_TEST_MESSAGE("refusal: exit " << e.exitCode() << ": " << e.what());
    }
    BOOST_TEST(server.requests.load() == 0);
}

BOOST_AUTO_TEST_CASE(same_server_allowed_tls_1_2_is_accepted) {
    OldTlsServer server(TLS1_2_VERSION);
    BOOST_TEST(server.client()->getAccountBalance().balance == "12.50");
    BOOST_TEST(server.requests.load() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
