#include "FakeApi.h"

#include <boost/test/unit_test.hpp>

namespace certagent::api::test {

Step reply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
    Step s;
    s.response.status = status;
    s.response.body = std::move(body);
    s.response.headers = std::move(headers);
    return s;
}

Step ok(std::string body) {
    return reply(200, std::move(body));
}

Step fail(const std::string& what, bool retryable, bool sent) {
    Step s;
    s.failure.emplace(what, retryable, sent);
    return s;
}

Step authOk(const char* key) {
    return ok(std::string("{\"key\":\"") + key + "\",\"success\":true}");
}

std::vector<HttpRequest> Script::calls() const {
    std::vector<HttpRequest> out;
    for (const auto& r : requests) {
        if (r.target.rfind("/auth/", 0) != 0) {
            out.push_back(r);
        }
    }
    return out;
}

int Script::authCount() const {
    return static_cast<int>(requests.size() - calls().size());
}

HttpResponse FakeTransport::send(const HttpRequest& request, std::chrono::milliseconds timeout) {
    m_script->requests.push_back(request);
    m_script->timeouts.push_back(timeout);
    if (m_script->clock) {
        m_script->clock->advance(m_script->cost);
    }
    Step step;
    if (!m_script->steps.empty()) {
        step = m_script->steps.front();
        m_script->steps.pop_front();
    } else if (m_script->fallback) {
        step = m_script->fallback(request);
    } else {
        step = reply(599, "no scripted reply");
    }
    if (step.failure) {
        throw *step.failure;
    }
    return step.response;
}

Harness::Harness() {
    settings.url = "https://api.example.test/api";
    settings.log = [this](const std::string& line) { logs.push_back(line); };
}

std::unique_ptr<ApiClient> Harness::client() {
    return std::make_unique<ApiClient>(settings, Credentials{kUser, Secret(std::string(kPass))},
                                       std::make_unique<FakeTransport>(script), clock);
}

ApiError expectApiError(const std::function<void()>& f) {
    try {
        f();
    } catch (const ApiError& e) {
        return e;
    }
    BOOST_FAIL("expected an ApiError");
    throw std::logic_error("unreachable");
}

} // namespace certagent::api::test
