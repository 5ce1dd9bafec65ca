#pragma once

// Helpers shared by the sandbox tests: JSON parsing, a logged-in client, order forms, and a tiny
// HTTP server standing in for the web server that serves DCV files.

#include "SandboxProcess.h"
#include "TestCa.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace certagent::test::sandboxtest {

using Form = std::vector<std::pair<std::string, std::string>>;

inline Poco::JSON::Object::Ptr parse(const std::string& body) {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

inline std::string hexDigest(const EVP_MD* md, const std::string& data, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < len; ++i) {
        hex += digits[out[i] >> 4];
        hex += digits[out[i] & 15];
    }
    return hex;
}

/// Logs in and keeps the key.
struct Client {
    explicit Client(SandboxProcess& sandbox) : sb(sandbox) {
        auto reply = sb.request("/api/auth/", {{"user", sb.user()}, {"pass", sb.pass()}});
        key = parse(reply.body)->getValue<std::string>("key");
    }
    SandboxReply get(const std::string& path) {
        return sb.request("/api" + path + "?auth_key=" + key);
    }
    SandboxReply post(const std::string& path, const Form& form) {
        return sb.request("/api" + path + "?auth_key=" + key, form);
    }
    Poco::JSON::Object::Ptr status(const std::string& id) {
        return parse(get("/orders/status/" + id).body);
    }
    SandboxProcess& sb;
    std::string key;
};

/// A complete addSSLOrder form for a CSR.
inline Form orderForm(const std::string& csrPem, const std::string& dcv = "http") {
    Form f = {{"product_id", "65"},   {"period", "12"},         {"csr", csrPem},
              {"server_count", "-1"}, {"webserver_type", "-1"}, {"dcv_method", dcv}};
    for (const char* who : {"admin_", "tech_"})
        for (const char* field : {"firstname", "lastname", "phone", "title", "email"})
            f.emplace_back(std::string(who) + field, std::string("ops@example.net"));
    return f;
}

/// Serves /.well-known/pki-validation/<file> bodies per Host header, like a web server would.
class DcvServer {
  public:
    DcvServer() : m_socket(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        m_server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), m_socket,
                                                           new Poco::Net::HTTPServerParams);
        m_server->start();
    }
    ~DcvServer() { m_server->stopAll(true); }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_socket.address().port()); }
    void put(const std::string& host, const std::string& path, const std::string& body) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_files[host + path] = body;
    }
    int hits() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_hits;
    }

  private:
    struct Handler : Poco::Net::HTTPRequestHandler {
        explicit Handler(DcvServer& s) : server(s) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req,
                           Poco::Net::HTTPServerResponse& resp) override {
            std::lock_guard<std::mutex> lock(server.m_mutex);
            ++server.m_hits;
            auto it = server.m_files.find(req.getHost() + req.getURI());
            if (it == server.m_files.end()) {
                resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                resp.send() << "not found";
                return;
            }
            resp.setContentType("text/plain");
            resp.send() << it->second;
        }
        DcvServer& server;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(DcvServer& s) : server(s) {}
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(server);
        }
        DcvServer& server;
    };

    Poco::Net::ServerSocket m_socket;
    std::unique_ptr<Poco::Net::HTTPServer> m_server;
    std::mutex m_mutex;
    std::map<std::string, std::string> m_files;
    int m_hits = 0;
};

} // namespace certagent::test::sandboxtest
