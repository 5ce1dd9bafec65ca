// The real HTTPS transport against a local Poco HTTPS server whose certificate each test chooses:
// host name and IP checks, unknown and expired certificates, redirects, body caps.

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
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

using namespace certagent;
using namespace certagent::api;
using certagent::test::TempDir;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

/// What the server answers to a non-auth request: status, body, extra headers.
struct Answer {
    int dripBytes = 0; ///< > 0: send the body after this many single spaces, 100 ms apart
    int status = 200;
    std::string body = R"({"balance":"12.50","currency":"USD","success":true})";
    std::vector<std::pair<std::string, std::string>> headers;
};

struct Shared {
    std::atomic<int> requests{0};
    std::mutex mutex;
    std::vector<std::string> bodies;  ///< request bodies seen
    std::vector<std::string> accepts; ///< Accept header of each request ("-" when absent)
    Answer answer;
};

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(Shared& s) : m_s(s) {}
    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        ++m_s.requests;
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        Answer a;
        {
            std::lock_guard<std::mutex> lock(m_s.mutex);
            m_s.bodies.push_back(body);
            m_s.accepts.push_back(req.get("Accept", "-"));
            a = m_s.answer;
        }
        if (req.getURI().rfind("/api/auth/", 0) == 0) {
            a = Answer{0, 200, R"({"key":"tlstestkey0123456789","success":true})", {}};
        }
        resp.setStatus(static_cast<HTTPServerResponse::HTTPStatus>(a.status));
        for (const auto& [k, v] : a.headers) {
            resp.add(k, v); // add, not set: a header may repeat (Link)
        }
        resp.setContentType("application/json");
        if (a.dripBytes > 0) {
            resp.setChunkedTransferEncoding(true);
            std::ostream& out = resp.send();
            for (int i = 0; i < a.dripBytes && out; ++i) {
                out << ' ' << std::flush;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            out << a.body << std::flush;
            return;
        }
        resp.sendBuffer(a.body.data(), a.body.size());
    }

  private:
    Shared& m_s;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(Shared& s) : m_s(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(m_s);
    }

  private:
    Shared& m_s;
};

/// An HTTPS server on 127.0.0.1:0 with a leaf for `names` issued by a fresh test CA.
struct TlsServer {
    TempDir dir;
    Shared shared;
    test::TestCa ca = test::TestCa::makeRoot("certagent api test CA");
    std::unique_ptr<Poco::Net::HTTPServer> server;
    int port = 0;

    explicit TlsServer(const std::vector<std::string>& names, long notAfterOffset = 86400) {
        const auto key = test::makeKey();
        test::CertSpec spec;
        spec.names = names;
        spec.notAfterOffset = notAfterOffset;
        if (notAfterOffset < 0) {
            spec.notBeforeOffset = notAfterOffset - 86400;
        }
        test::writeFile(dir / "leaf.pem", test::toPem(*ca.issue(*key, spec)));
        test::writeFile(dir / "leaf.key", test::keyToPem(*key), 0600);
        test::writeFile(dir / "ca.pem", ca.certPem());
        Poco::Net::Context::Ptr ctx =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, dir / "leaf.key",
                                   dir / "leaf.pem", "", Poco::Net::Context::VERIFY_NONE, 9, false);
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16, ctx);
        port = socket.address().port();
        server = std::make_unique<Poco::Net::HTTPServer>(new Factory(shared), socket,
                                                         new Poco::Net::HTTPServerParams);
        server->start();
    }
    ~TlsServer() { server->stopAll(true); }

    /// The raw transport to this server at https://127.0.0.1:<port> (trusting its CA).
    std::unique_ptr<HttpTransport> transport() {
        TlsSettings tls;
        tls.caFile = dir / "ca.pem";
        return makeHttpsTransport("https://127.0.0.1:" + std::to_string(port), tls);
    }

    ApiSettings settings(const std::string& host) {
        ApiSettings s;
        s.url = "https://" + host + ":" + std::to_string(port) + "/api";
        s.caFile = dir / "ca.pem";
        s.timeout = std::chrono::seconds(10);
        s.retryDeadline = std::chrono::seconds(3);
        s.retryBase = std::chrono::milliseconds(50);
        s.log = [](const std::string&) {};
        return s;
    }
};

std::unique_ptr<ApiClient> clientFor(ApiSettings s) {
    return std::make_unique<ApiClient>(std::move(s),
                                       Credentials{"tls-user", Secret(std::string("tls-pass"))});
}

/// Expects a TLS refusal (exit 4) and that the server never saw a request.
void expectRefused(TlsServer& server, const ApiSettings& s) {
    try {
        clientFor(s)->getAccountBalance();
        BOOST_FAIL("expected a TLS refusal for " << s.url);
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4, e.what());
        BOOST_TEST(std::string(e.what()).find("TLS verification") != std::string::npos, e.what());
        BOOST_TEST(std::string(e.what()).find("tls-pass") == std::string::npos);
    }
    BOOST_TEST(server.shared.requests.load() == 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(ApiTls)

BOOST_AUTO_TEST_CASE(matching_ip_and_name_are_accepted) {
    TlsServer ip({"127.0.0.1"});
    BOOST_TEST(clientFor(ip.settings("127.0.0.1"))->getAccountBalance().balance == "12.50");
    TlsServer name({"localhost"});
    BOOST_TEST(clientFor(name.settings("localhost"))->getAccountBalance().balance == "12.50");
    BOOST_TEST(name.shared.requests.load() == 2);
}

BOOST_AUTO_TEST_CASE(loopback_ip_not_in_the_certificate_is_refused) {
    TlsServer server({"localhost"});
    expectRefused(server, server.settings("127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(name_not_in_the_certificate_is_refused) {
    TlsServer server({"127.0.0.1", "api.example.test"});
    expectRefused(server, server.settings("localhost"));
}

BOOST_AUTO_TEST_CASE(unknown_ca_is_refused) {
    TlsServer server({"127.0.0.1"});
    ApiSettings s = server.settings("127.0.0.1");
    s.caFile.clear();
    expectRefused(server, s);
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_refused) {
    TlsServer server({"127.0.0.1"}, -3600);
    expectRefused(server, server.settings("127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(plain_http_url_and_bad_ca_file_are_config_errors) {
    ApiSettings s;
    s.url = "http://127.0.0.1:1/api";
    BOOST_CHECK_THROW(clientFor(s), ConfigError);
    s.url = "https://127.0.0.1:1/api";
    s.caFile = "/nonexistent/ca.pem";
    BOOST_CHECK_THROW(clientFor(s), ConfigError);
}

BOOST_AUTO_TEST_CASE(redirect_is_not_followed) {
    TlsServer server({"127.0.0.1"});
    server.shared.answer =
        Answer{0, 302, "", {{"Location", "https://elsewhere.example/api?auth_key=x"}}};
    try {
        clientFor(server.settings("127.0.0.1"))->getAccountBalance();
        BOOST_FAIL("expected a refusal");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 4);
        BOOST_TEST(std::string(e.what()).find("elsewhere.example") != std::string::npos);
    }
    BOOST_TEST(server.shared.requests.load() == 2); // auth + the call, nothing followed
}

BOOST_AUTO_TEST_CASE(oversized_body_is_transient) {
    TlsServer server({"127.0.0.1"});
    server.shared.answer.body = std::string(5 * 1024 * 1024, ' ') + "{}";
    try {
        clientFor(server.settings("127.0.0.1"))->getAccountBalance();
        BOOST_FAIL("expected an error");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 3, e.what());
    }
}

BOOST_AUTO_TEST_CASE(slow_drip_reply_is_cut_off_as_transient) {
    TlsServer server({"127.0.0.1"});
    server.shared.answer.dripBytes = 600; // a minute of drip, each byte well within the timeout
    ApiSettings s = server.settings("127.0.0.1");
    s.timeout = std::chrono::seconds(1);
    s.retryDeadline = std::chrono::seconds(2);
    try {
        clientFor(s)->getAccountBalance();
        BOOST_FAIL("expected a timeout");
    } catch (const ApiError& e) {
        BOOST_TEST(e.exitCode() == 3, e.what());
    }
}

BOOST_AUTO_TEST_CASE(credentials_travel_only_in_the_auth_body) {
    TlsServer server({"127.0.0.1"});
    clientFor(server.settings("127.0.0.1"))->getAccountBalance();
    std::lock_guard<std::mutex> lock(server.shared.mutex);
    BOOST_REQUIRE(server.shared.bodies.size() == 2u);
    BOOST_TEST(server.shared.bodies[0] == "user=tls-user&pass=tls-pass");
    BOOST_TEST(server.shared.bodies[1].empty());
}

BOOST_AUTO_TEST_CASE(head_reply_repeated_headers_and_accept_reach_the_caller) {
    TlsServer server({"127.0.0.1"});
    server.shared.answer.headers = {{"Replay-Nonce", "n1"},
                                    {"Link", "<https://a.test/1>;rel=\"alternate\""},
                                    {"Link", "<https://a.test/2>;rel=\"alternate\""}};
    auto transport = server.transport();
    HttpRequest head;
    head.method = "HEAD";
    head.target = "/nonce";
    // The HEAD reply announces the GET body's Content-Length but carries no body.
    const HttpResponse h = transport->send(head, std::chrono::seconds(10));
    BOOST_TEST(h.status == 200);
    BOOST_TEST(h.body.empty());
    BOOST_TEST(h.header("replay-nonce") == "n1");
    HttpRequest get;
    get.method = "GET";
    get.target = "/cert";
    get.accept = "application/pem-certificate-chain";
    const HttpResponse g = transport->send(get, std::chrono::seconds(10));
    BOOST_TEST(g.body == server.shared.answer.body);
    const std::vector<std::string> links = g.headerValues("link");
    BOOST_TEST(links == (std::vector<std::string>{"<https://a.test/1>;rel=\"alternate\"",
                                                  "<https://a.test/2>;rel=\"alternate\""}),
               boost::test_tools::per_element());
    std::lock_guard<std::mutex> lock(server.shared.mutex);
    BOOST_TEST(
        server.shared.accepts ==
            (std::vector<std::string>{"application/json", "application/pem-certificate-chain"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_server_that_closes_after_each_reply_gets_a_new_connection_each_time) {
    TlsServer server({"127.0.0.1"});
    server.shared.answer.headers = {{"Connection", "close"}};
    auto transport = server.transport();
    HttpRequest get;
    get.method = "GET";
    get.target = "/balance";
    for (int round = 0; round < 3; ++round) {
        const HttpResponse r = transport->send(get, std::chrono::seconds(10));
        BOOST_TEST(r.status == 200);
        BOOST_TEST(r.body == server.shared.answer.body);
    }
    BOOST_TEST(server.shared.requests.load() == 3);
}

BOOST_AUTO_TEST_CASE(peer_that_never_answers_the_handshake_times_out_naming_the_host) {
    // A listening socket nobody accepts on: the kernel completes the TCP handshake, but no TLS
    // byte ever comes back (a SIGSTOPped etcd member looks exactly like this).
    Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0), 16);
    const std::string port = std::to_string(silent.address().port());
    TlsServer server({"127.0.0.1"}); // only for its CA file
    TlsSettings tls;
    tls.caFile = server.dir / "ca.pem";
    auto transport = makeHttpsTransport("https://127.0.0.1:" + port, tls);
    HttpRequest get;
    get.method = "GET";
    get.target = "/v3/kv/range";
    for (int round = 0; round < 2; ++round) { // the transport stays usable after a timeout
        try {
            transport->send(get, std::chrono::milliseconds(500));
            BOOST_FAIL("expected a timeout");
        } catch (const TransportError& e) {
            BOOST_TEST(std::string(e.what()) == "timeout connecting to 127.0.0.1:" + port +
                                                    " (TCP connect or TLS handshake)");
            BOOST_TEST(e.retryable());
            BOOST_TEST(!e.sent());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
