#include "SandboxProcess.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <csignal>
#include <stdexcept>
#include <sys/wait.h>

namespace certagent::test {

namespace {

/// "listening on https://127.0.0.1:40123/api" → port.
int portOf(const std::string& url) {
    auto colon = url.rfind(':');
    auto slash = url.find('/', colon);
    if (colon == std::string::npos || slash == std::string::npos)
        throw std::runtime_error("sandbox: cannot parse URL " + url);
    return std::stoi(url.substr(colon + 1, slash - colon - 1));
}

std::string hostOf(const std::string& url) {
    auto start = url.find("://") + 3;
    auto colon = url.rfind(':');
    std::string host = url.substr(start, colon - start);
    if (host.size() > 1 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    return host;
}

} // namespace

SandboxProcess::SandboxProcess(SandboxOptions options) : m_options(std::move(options)) {
    if (m_options.dataDir.empty()) {
        m_ownDir = std::make_unique<TempDir>();
        m_dataDir = m_ownDir->path();
    } else {
        m_dataDir = m_options.dataDir;
    }
    start("127.0.0.1:0");
}

SandboxProcess::~SandboxProcess() {
    try {
        stop();
    } catch (...) {
    }
}

void SandboxProcess::start(const std::string& listen) {
    std::vector<std::string> args = {"--listen",        listen,
                                     "--data-dir",      m_dataDir,
                                     "--account",       m_options.user + ":" + m_options.pass,
                                     "--issue-delay",   std::to_string(m_options.issueDelaySeconds),
                                     "--validity-days", std::to_string(m_options.validityDays)};
    if (!m_options.dcvConnect.empty()) {
        args.push_back("--dcv-connect");
        args.push_back(m_options.dcvConnect);
    }
    if (m_options.autoValidate)
        args.push_back("--auto-validate");
    args.push_back("--exit-with-parent");
    args.insert(args.end(), m_options.extraArgs.begin(), m_options.extraArgs.end());

    Poco::Pipe outPipe;
    Poco::ProcessHandle handle =
        Poco::Process::launch(envPath("CERTAGENT_SANDBOX_BIN"), args, nullptr, &outPipe, nullptr);
    m_pid = handle.id();
    Poco::PipeInputStream out(outPipe);
    std::string line;
    std::getline(out, line);
    const std::string prefix = "listening on ";
    if (line.compare(0, prefix.size(), prefix) != 0) {
        stop();
        throw std::runtime_error("sandbox did not start (first line: '" + line + "')");
    }
    m_url = line.substr(prefix.size());
    m_port = portOf(m_url);
}

void SandboxProcess::stop() {
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGTERM);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
}

void SandboxProcess::restart() {
    stop();
    start(hostOf(m_url) + ":" + std::to_string(m_port));
}

SandboxReply SandboxProcess::request(const std::string& pathAndQuery,
                                     const std::vector<std::pair<std::string, std::string>>& form,
                                     const std::string& method) {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", apiCaPath(),
                               Poco::Net::Context::VERIFY_STRICT, 9, false);
    Poco::Net::HTTPSClientSession session(hostOf(m_url), static_cast<Poco::UInt16>(m_port),
                                          context);
    session.setTimeout(Poco::Timespan(60, 0));
    bool post = !form.empty() || method == "POST";
    Poco::Net::HTTPRequest req(post ? "POST" : "GET", pathAndQuery,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    if (post) {
        Poco::Net::HTMLForm body;
        for (const auto& [k, v] : form)
            body.add(k, v);
        body.prepareSubmit(req);
        body.write(session.sendRequest(req));
    } else {
        session.sendRequest(req);
    }
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    SandboxReply reply;
    reply.status = static_cast<int>(resp.getStatus());
    reply.contentType = resp.getContentType();
    reply.retryAfter = resp.get("Retry-After", "");
    reply.date = resp.get("Date", "");
    Poco::StreamCopier::copyToString(in, reply.body);
    return reply;
}

void SandboxProcess::adminPost(const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& form) {
    SandboxReply reply = request(path, form, "POST");
    if (reply.status != 200)
        throw std::runtime_error("sandbox admin " + path + ": HTTP " +
                                 std::to_string(reply.status) + " " + reply.body);
}

void SandboxProcess::setFault(const std::string& name, const std::string& orderId, int count,
                              const std::string& value) {
    std::vector<std::pair<std::string, std::string>> form = {{"fault", name}};
    if (!orderId.empty())
        form.emplace_back("order_id", orderId);
    if (count >= 0)
        form.emplace_back("count", std::to_string(count));
    if (!value.empty())
        form.emplace_back("value", value);
    adminPost("/admin/fault", form);
}

void SandboxProcess::reset() {
    adminPost("/admin/reset", {});
}
void SandboxProcess::clearCalls() {
    adminPost("/admin/calls/clear", {});
}
void SandboxProcess::invalidateKeys() {
    adminPost("/admin/invalidate-keys", {});
}

void SandboxProcess::advance(const std::string& orderId, const std::string& status) {
    adminPost("/admin/advance", {{"order_id", orderId}, {"status", status}});
}

std::vector<std::string> SandboxProcess::calls() {
    SandboxReply reply = request("/admin/calls");
    if (reply.status != 200)
        throw std::runtime_error("sandbox admin calls: HTTP " + std::to_string(reply.status));
    Poco::JSON::Parser parser;
    auto array = parser.parse(reply.body).extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> names;
    for (size_t i = 0; i < array->size(); ++i)
        names.push_back(array->getElement<std::string>(static_cast<unsigned>(i)));
    return names;
}

} // namespace certagent::test
