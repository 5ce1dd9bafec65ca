// certagent-sandbox: a fake GoGetSSL v1 API over HTTPS for tests and the demo (ARCHITECTURE.md,
// "The sandbox").
#include "Config.h"
#include "Server.h"

#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>

#include <csignal>
#include <iostream>
#include <stdexcept>
#include <sys/prctl.h>

using certagent::sandbox::Config;

namespace {

const char* kUsage =
    "usage: certagent-sandbox --listen ADDR:PORT --data-dir DIR --account USER:PASS\n"
    "                         [--dcv-connect HOST:PORT] [--dcv-fetches N] [--auto-validate]\n"
    "                         [--issue-delay SECONDS] [--validity-days N]\n";

/// "host:port" / "[::1]:port" → (host as written, port).
std::pair<std::string, int> splitHostPort(const std::string& text, const char* option) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw std::invalid_argument(std::string(option) + ": expected HOST:PORT");
    return {text.substr(0, colon), std::stoi(text.substr(colon + 1))};
}

Config parseArgs(int argc, char** argv) {
    Config c;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--listen") {
            std::tie(c.listenHost, c.listenPort) = splitHostPort(next(), "--listen");
        } else if (arg == "--data-dir") {
            c.dataDir = next();
        } else if (arg == "--account") {
            std::string account = next();
            auto colon = account.find(':');
            if (colon == std::string::npos)
                throw std::invalid_argument("--account: expected USER:PASS");
            c.user = account.substr(0, colon);
            c.pass = account.substr(colon + 1);
        } else if (arg == "--dcv-connect") {
            std::tie(c.dcvHost, c.dcvPort) = splitHostPort(next(), "--dcv-connect");
            if (c.dcvHost.size() > 2 && c.dcvHost.front() == '[')
                c.dcvHost = c.dcvHost.substr(1, c.dcvHost.size() - 2);
        } else if (arg == "--dcv-fetches") {
            c.dcvFetches = std::stoi(next());
            if (c.dcvFetches < 1 || c.dcvFetches > 10)
                throw std::invalid_argument("--dcv-fetches: expected 1 to 10");
        } else if (arg == "--exit-with-parent") {
            // Test harness option: die with the test runner even if it is killed.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
        } else if (arg == "--auto-validate") {
            c.autoValidate = true;
        } else if (arg == "--issue-delay") {
            c.issueDelaySeconds = std::stol(next());
        } else if (arg == "--validity-days") {
            c.validityDays = std::stol(next());
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    if (c.dataDir.empty() || c.user.empty())
        throw std::invalid_argument("--data-dir and --account are required");
    return c;
}

int run(const Config& config) {
    Poco::File(config.dataDir).createDirectories();
    certagent::sandbox::SandboxState state(config);
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, state.authority.serverKeyPath(),
        state.authority.serverCertPath(), "", Poco::Net::Context::VERIFY_NONE, 9, false);
    Poco::Net::SocketAddress address(config.listenHost + ":" + std::to_string(config.listenPort));
    Poco::Net::SecureServerSocket socket(address, 64, context);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(16);
    params->setKeepAlive(true);
    Poco::Net::HTTPServer server(new certagent::sandbox::HandlerFactory(state), socket, params);
    server.start();
    std::cout << "listening on https://" << config.listenHost << ":" << socket.address().port()
              << "/api" << std::endl;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    int received = 0;
    sigwait(&signals, &received);
    std::cerr << "sandbox: signal " << received << ", stopping\n";
    server.stopAll(true);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // Block the stop signals in every thread (inherited by the server's threads); main sigwaits.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    Config config;
    try {
        config = parseArgs(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "certagent-sandbox: " << e.what() << "\n" << kUsage;
        return 2;
    }
    try {
        Poco::Net::initializeSSL();
        int rc = run(config);
        Poco::Net::uninitializeSSL();
        return rc;
    } catch (const Poco::Exception& e) {
        std::cerr << "certagent-sandbox: " << e.displayText() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "certagent-sandbox: " << e.what() << "\n";
    }
    return 1;
}
