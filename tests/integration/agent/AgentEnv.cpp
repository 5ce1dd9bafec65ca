#include "AgentEnv.h"

#include "Processes.h"
#include "crypto/TlsProbe.h"
#include "store/Index.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <dirent.h>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace certagent::test {

SandboxOptions AgentEnv::autoValidated() {
    SandboxOptions o;
    o.autoValidate = true;
    return o;
}

AgentEnv::AgentEnv(SandboxOptions options)
    : m_sandbox(std::make_unique<SandboxProcess>(std::move(options))) {
    ::mkdir((m_dir / "www").c_str(), 0755);
    ::mkdir((m_dir / "etc").c_str(), 0755);
    ::mkdir((m_dir / "etc/certs.d").c_str(), 0755);
}

std::string AgentEnv::defaultCert() const {
    return "domains = shop.example.test, www.shop.example.test\n"
           "product_id = 65\n"
           "period = 12\n"
           "dcv = http\n"
           "webroot = " +
           webroot() + "\ninstaller = none\n";
}

void AgentEnv::configure(const std::string& certText, const std::string& extraMain) {
    std::string main = "[api]\n"
                       "url = " +
                       m_sandbox->url() +
                       "\n"
                       "credentials = credentials.conf\n"
                       "ca_file = " +
                       m_sandbox->apiCaPath() +
                       "\n"
                       "timeout = 20s\n"
                       "[store]\n"
                       "dir = " +
                       store() +
                       "\n"
                       "lock_wait = 120s\n"
                       "[trust]\n"
                       "ca_file = " +
                       m_sandbox->issuingRootPath() +
                       "\n"
                       "[hooks]\n"
                       "dir = " +
                       (m_dir / "etc/hooks") +
                       "\n"
                       "[contact]\n"
                       "admin_firstname = Ilze\n"
                       "admin_lastname = Kalnina\n"
                       "admin_email = ops@example.com\n"
                       "admin_phone = 37120000000\n"
                       "admin_title = Ms\n" +
                       extraMain;
    writeFile(m_dir / "etc/certagent.conf", main, 0644);
    writeFile(m_dir / "etc/credentials.conf",
              "user = " + m_sandbox->user() + "\npass = " + m_sandbox->pass() + "\n", 0600);
    writeFile(m_dir / "etc/certs.d/shop.conf", certText, 0644);
}

CommandOutput AgentEnv::agent(const std::vector<std::string>& args, int timeoutSeconds) const {
    std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                     m_dir / "etc/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, {}, timeoutSeconds);
}

CommandOutput AgentEnv::agentWithEnv(const std::vector<std::string>& args,
                                     const std::vector<std::string>& env) const {
    std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                     m_dir / "etc/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, env, 300);
}

CommandOutput AgentEnv::agentStoppedDuring(const std::vector<std::string>& args,
                                           const std::string& call, int signal) {
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        for (int i = 0; i < 2400 && !done; ++i) {
            std::vector<std::string> calls;
            try {
                calls = m_sandbox->calls();
            } catch (const std::exception&) {
            }
            if (std::find(calls.begin(), calls.end(), call) != calls.end()) {
                // The sandbox records a call as it starts it: let it finish its work first.
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                for (int pid : processesMentioning(m_dir / "etc/certagent.conf"))
                    ::kill(pid, signal);
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    CommandOutput out = agent(args);
    done = true;
    watcher.join();
    return out;
}

std::map<std::string, std::string> AgentEnv::state(const std::string& name) const {
    return jsonFields(store() + "/state/" + name + ".json");
}

std::string AgentEnv::liveLink(const std::string& name) const {
    char buf[4096];
    ssize_t n = ::readlink((store() + "/live/" + name).c_str(), buf, sizeof buf - 1);
    return n < 0 ? "" : std::string(buf, static_cast<std::size_t>(n));
}

std::string AgentEnv::liveCertText(const std::string& name) const {
    std::string path = store() + "/live/" + name + "/cert.pem";
    return exists(path) ? readFile(path) : "";
}

std::vector<std::string> AgentEnv::dcvFiles() const {
    return listDir(webroot() + "/.well-known/pki-validation");
}

std::vector<std::string> AgentEnv::orderCalls() {
    std::vector<std::string> out;
    for (const auto& call : m_sandbox->calls())
        if (call == "addSSLOrder" || call == "reissueSSLOrder" || call == "addSSLRenewOrder")
            out.push_back(call);
    return out;
}

CommandOutput AgentEnv::opensslVerify(const std::string& name) const {
    std::string live = store() + "/live/" + name;
    return runCommand({"openssl", "verify", "-CAfile", m_sandbox->issuingRootPath(), "-untrusted",
                       live + "/chain.pem", live + "/cert.pem"});
}

void AgentEnv::ageDailyCheck(const std::string& name) const {
    auto index = store::Index::load(store() + "/index");
    store::IndexEntry* entry = index.find(name);
    if (entry == nullptr)
        throw std::runtime_error("ageDailyCheck: no index entry for " + name);
    entry->checked = std::time(nullptr) - 2 * 86400;
    index.touch();
    index.write(store() + "/index");
}

std::string servedOnceChanged(int port, const std::string& sni, const std::string& old) {
    std::string served;
    for (int i = 0; i < 100; ++i) {
        served = crypto::probeTls("127.0.0.1", port, sni).leafSha256;
        if (served != old)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return served;
}

} // namespace certagent::test
