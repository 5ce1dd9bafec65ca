#include "Server.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

namespace certagent::sandbox {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

struct Route {
    const char* path;
    const char* method;
    bool hasId;
};

const Route kRoutes[] = {
    {"/auth", "auth", false},
    {"/orders/add_ssl_order", "addSSLOrder", false},
    {"/orders/add_ssl_renew_order", "addSSLRenewOrder", false},
    {"/orders/ssl/reissue", "reissueSSLOrder", true},
    {"/orders/status", "getOrderStatus", true},
    {"/orders/statuses", "getOrdersStatus", false},
    {"/orders/ssl/change_validation_method", "changeValidationMethod", true},
    {"/orders/ssl/change_validation_email", "changeValidationEmail", true},
    {"/orders/ssl/revalidate", "revalidate", true},
    {"/orders/ssl/resend_validation_email", "resendValidationEmail", true},
    {"/orders/cancel_ssl_order", "cancelSSLOrder", false},
    {"/orders/ssl/all", "getAllSSLOrders", false},
    {"/tools/domain/emails", "getDomainEmails", false},
    {"/tools/csr/decode", "decodeCSR", false},
    {"/tools/csr/validate", "validateCSR", false},
    {"/account/balance", "getAccountBalance", false},
    {"/products/details", "getProductDetails", true},
    {"/products", "getAllProducts", false},
};

/// Finds the route for a path relative to /api; sets id for "/prefix/{id}" routes.
const Route* route(const std::string& rel, std::string& id) {
    for (const auto& r : kRoutes) {
        std::string prefix = r.path;
        if (!r.hasId && rel == prefix)
            return &r;
        if (r.hasId && rel.size() > prefix.size() + 1 &&
            rel.compare(0, prefix.size(), prefix) == 0 && rel[prefix.size()] == '/' &&
            rel.find('/', prefix.size() + 1) == std::string::npos) {
            id = rel.substr(prefix.size() + 1);
            return &r;
        }
    }
    return nullptr;
}

std::string errorBody(const std::string& message, const std::string& description) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("error", true);
    o.set("message", message);
    o.set("description", description);
    return phpJson(o);
}

void send(HTTPServerResponse& resp, int status, const std::string& body,
          const std::string& type = "application/json; charset=utf-8") {
    resp.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    resp.setContentType(type);
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
}

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(SandboxState& state) : m_state(state) {}

    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        std::string path = Poco::URI(req.getURI()).getPath();
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        Poco::Net::HTMLForm form(req, req.stream());
        if (path.rfind("/admin/", 0) == 0)
            return admin(path, form, req, resp);
        if (path != "/api" && path.rfind("/api/", 0) != 0) {
            log(req, path, "", "404");
            return send(resp, 404, errorBody("Not found", "Unknown path"));
        }
        std::string id;
        const Route* r = route(path.substr(4), id);
        if (!r) {
            log(req, path, "", "404");
            return send(resp, 404, errorBody("Method not found", "Unknown API method"));
        }
        api(*r, id.empty() ? form.get("order_id", "") : id, id, form, req, resp);
    }

  private:
    void log(const HTTPServerRequest& req, const std::string& what, const std::string& orderId,
             const std::string& result) {
        std::ostringstream line;
        line << "sandbox: " << req.getMethod() << " " << what;
        if (!orderId.empty())
            line << " order=" << orderId;
        line << " -> " << result << "\n";
        std::cerr << line.str() << std::flush;
    }

    /// Faults that replace the whole reply; returns true when one was sent.
    bool transportFault(const std::string& orderId, HTTPServerResponse& resp, std::string& result) {
        Faults& f = m_state.faults;
        if (auto v = f.take("slow", orderId))
            std::this_thread::sleep_for(std::chrono::seconds(v->empty() ? 5 : std::stol(*v)));
        if (f.take("http500", orderId)) {
            result = "fault http500";
            send(resp, 500, "<html><body>500 Internal Server Error</body></html>", "text/html");
            return true;
        }
        if (auto v = f.take("http429", orderId)) {
            result = "fault http429";
            resp.set("Retry-After", v->empty() ? "1" : *v);
            send(resp, 429, errorBody("Too many requests", "Rate limit exceeded"));
            return true;
        }
        if (f.take("html", orderId)) {
            result = "fault html";
            send(resp, 200,
                 "<!DOCTYPE html><html><head><title>Maintenance</title></head>"
                 "<body><h1>We'll be back soon</h1></body></html>",
                 "text/html; charset=utf-8");
            return true;
        }
        if (auto v = f.take("error_envelope", orderId)) { // value: the description, if any
            result = "fault error_envelope";
            send(resp, 200,
                 errorBody("Internal error", v->empty() ? "Injected error envelope" : *v));
            return true;
        }
        return false;
    }

    void api(const Route& r, const std::string& orderId, const std::string& id,
             const Poco::Net::HTMLForm& form, HTTPServerRequest& req, HTTPServerResponse& resp) {
        {
            std::lock_guard<std::mutex> lock(m_state.mutex);
            m_state.calls.push_back(r.method);
        }
        std::string result;
        if (auto offset = m_state.faults.take("date_offset", orderId)) // clock-skew tests
            resp.setDate(Poco::Timestamp() + Poco::Timespan(std::stol(*offset), 0));
        if (transportFault(orderId, resp, result))
            return log(req, r.method, orderId, result);
        std::string method = r.method;
        bool keyless = method == "auth" || method == "decodeCSR" || method == "validateCSR";
        std::string body;
        int status = 200;
        {
            std::lock_guard<std::mutex> lock(m_state.mutex);
            std::string key = form.get("auth_key", "");
            if (!keyless && !m_state.store.validKey(key)) {
                // auth200: the expired-key envelope comes with HTTP 200, like business errors.
                status = m_state.faults.take("auth401", orderId)   ? 401
                         : m_state.faults.take("auth200", orderId) ? 200
                                                                   : 403;
                body = errorBody(key.empty() ? "Auth key not supplied" : "Invalid auth key",
                                 "Please authenticate again");
                result = "HTTP " + std::to_string(status) + " bad auth_key";
            } else {
                try {
                    body = phpJson(m_state.api.call(method, id, form));
                    result = "ok";
                } catch (const ApiError& e) {
                    body = errorBody(e.what(), e.description);
                    result = std::string("error: ") + e.what();
                } catch (const std::exception& e) {
                    status = 500;
                    body = errorBody("Internal error", "Sandbox failure");
                    result = std::string("HTTP 500: ") + e.what();
                }
            }
        }
        if (status == 200 && m_state.faults.take("truncated_json", orderId)) {
            body = body.substr(0, body.size() / 2);
            result += " (fault truncated_json)";
        }
        // slow_reply (value "METHOD:SECONDS"): that call is done (an order placed, a reissue
        // taken), only its answer is late, so a client stopped meanwhile never learns of it.
        const std::string slowPrefix = method + ":";
        if (auto v = m_state.faults.takeIf("slow_reply", orderId, [&](const std::string& value) {
                return value.compare(0, slowPrefix.size(), slowPrefix) == 0;
            })) {
            result += " (fault slow_reply)";
            std::this_thread::sleep_for(
                std::chrono::seconds(std::stol(v->substr(slowPrefix.size()))));
        }
        log(req, method, orderId, result);
        send(resp, status, body);
    }

    void admin(const std::string& path, const Poco::Net::HTMLForm& form, HTTPServerRequest& req,
               HTTPServerResponse& resp) {
        std::lock_guard<std::mutex> lock(m_state.mutex);
        log(req, path, form.get("order_id", ""), form.get("fault", form.get("status", "")));
        try {
            if (path == "/admin/calls") {
                Poco::JSON::Array calls;
                for (const auto& c : m_state.calls)
                    calls.add(c);
                return send(resp, 200, phpJson(calls));
            }
            if (path == "/admin/fault") {
                std::string count = form.get("count", "-1");
                m_state.faults.add(form.get("fault"), form.get("order_id", ""), std::stoi(count),
                                   form.get("value", ""));
            } else if (path == "/admin/reset") {
                m_state.faults.clear();
            } else if (path == "/admin/calls/clear") {
                m_state.calls.clear();
            } else if (path == "/admin/invalidate-keys") {
                m_state.store.invalidateKeys();
            } else if (path == "/admin/advance") {
                m_state.api.advance(form.get("order_id"), form.get("status"));
            } else {
                return send(resp, 404, errorBody("Not found", "Unknown admin path"));
            }
            send(resp, 200, "{\"success\":true}");
        } catch (const ApiError& e) {
            send(resp, 400, errorBody(e.what(), e.description));
        } catch (const std::exception& e) {
            send(resp, 400, errorBody("Bad admin request", e.what()));
        }
    }

    SandboxState& m_state;
};

} // namespace

std::string phpJson(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    std::string raw = out.str();
    std::string escaped;
    escaped.reserve(raw.size() + raw.size() / 8);
    for (char c : raw) {
        if (c == '/')
            escaped += '\\';
        escaped += c;
    }
    return escaped;
}

Poco::Net::HTTPRequestHandler*
HandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
    return new Handler(m_state);
}

} // namespace certagent::sandbox
