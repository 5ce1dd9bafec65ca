#include "FleetEnv.h"

#include "TestCa.h"
#include "cluster/FleetKey.h"
#include "crypto/TlsProbe.h"

#include <csignal>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <unistd.h>

extern char** environ;

namespace certagent::test {

namespace {

int clusterCounter = 0;

} // namespace

const std::vector<std::string>& shopNames() {
    static const std::vector<std::string> names = {"shop.example.test", "www.shop.example.test"};
    return names;
}

// --- FleetHost ---------------------------------------------------------------------------------

FleetHost::FleetHost(FleetEnv& env, std::string name)
    : m_env(env), m_name(std::move(name)), m_httpPort(freePort()), m_tlsPort(freePort()) {
    m_nginx.addHttpSite("shop-http", shopNames(), m_httpPort, webroot());
    m_nginx.addServerFile("shop-tls.conf", NginxProcess::tlsServerBlock(shopNames(), m_tlsPort,
                                                                        env.placeholderCert(),
                                                                        env.placeholderKey()));
    m_nginx.start({m_httpPort, m_tlsPort});
    writeFile(m_dir / "etc/credentials.conf", "", 0600);
    writeFile(m_dir / "etc/fleet.key", readFile(env.fleetKeyFile()), 0600);
    writeFile(m_dir / "etc/hooks/deploy.d/.keep", "", 0644);
}

std::string FleetHost::trustRoot() const {
    return m_env.options().acme ? m_env.pebble().rootPath(0) : m_env.sandbox().issuingRootPath();
}

std::string FleetHost::acmeSections() const {
    if (!m_env.options().acme)
        return "";
    PebbleProcess& pebble = m_env.pebble();
    return "[ca]\nbackend = acme\n[acme]\ndirectory = " + pebble.directoryUrl() +
           "\nca_file = " + pebble.listenerCaPath() +
           "\ncontact = ops@example.com\nagree_tos = yes\n";
}

void FleetHost::configure(const std::string& clusterExtra, const std::vector<std::string>& etcd) {
    SandboxProcess& sandbox = m_env.sandbox();
    api::TlsSettings tls = m_env.etcd().agentTls();
    std::string endpoints;
    for (const auto& e : etcd.empty() ? m_env.etcd().endpoints() : etcd)
        endpoints += (endpoints.empty() ? "" : ", ") + e;
    std::string main =
        "[api]\nurl = " + sandbox.url() +
        "\ncredentials = credentials.conf\nca_file = " + sandbox.apiCaPath() +
        "\ntimeout = 20s\n[store]\ndir = " + store() +
        "\nlock_wait = 120s\n[trust]\nca_file = " + trustRoot() + "\n[hooks]\ndir = " + etc() +
        "/hooks\n[contact]\n"
        "admin_firstname = Ilze\nadmin_lastname = Kalnina\n"
        "admin_email = ops@example.com\nadmin_phone = 37120000000\n"
        "admin_title = Ms\n[nginx]\nbinary = " +
        NginxProcess::binary() + "\nconfig = " + m_nginx.configPath() + "\nreload = signal\n" +
        acmeSections() + m_env.options().mainExtra + "[cluster]\netcd = " + endpoints +
        "\nname = " + m_env.clusterName() + "\nhost = " + m_name + "\nca_file = " + tls.caFile +
        "\ncert_file = " + tls.clientCertFile + "\nkey_file = " + tls.clientKeyFile +
        "\nfleet_key = fleet.key\n" + m_env.options().clusterExtra + clusterExtra;
    writeFile(etc() + "/certagent.conf", main, 0644);
    writeFile(etc() + "/credentials.conf",
              "user = " + sandbox.user() + "\npass = " + sandbox.pass() + "\n", 0600);
}

void FleetHost::certFile(const std::string& text) {
    const std::string product = m_env.options().acme ? "" : "product_id = 65\nperiod = 12\n";
    std::string shop = text.empty()
                           ? "domains = shop.example.test, www.shop.example.test\n" + product +
                                 "dcv = http\nwebroot = " + webroot() + "\ninstaller = nginx\n"
                           : text;
    writeFile(etc() + "/certs.d/shop.conf", shop, 0644);
}

void FleetHost::useOwnFleetKey() {
    writeFile(etc() + "/fleet.key", cluster::FleetKey::generateText().reveal(), 0600);
}

CommandOutput FleetHost::agent(const std::vector<std::string>& args,
                               const std::vector<std::string>& env) const {
    std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                     etc() + "/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, env, 300);
}

int FleetHost::spawn(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                     etc() + "/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e)
        envs.push_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());
    std::string out = m_dir / "spawned.log";
    int pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> a, e;
        for (auto& s : argv)
            a.push_back(s.data());
        a.push_back(nullptr);
        for (auto& s : envs)
            e.push_back(s.data());
        e.push_back(nullptr);
        ::execve(a[0], a.data(), e.data());
        ::_exit(127);
    }
    return pid;
}

std::string FleetHost::spawnedOutput() const {
    return exists(m_dir / "spawned.log") ? readFile(m_dir / "spawned.log") : "";
}

std::string FleetHost::served(const std::string& name) const {
    try {
        return crypto::probeTls("127.0.0.1", m_tlsPort, name).leafSha256;
    } catch (const std::exception&) {
        return "";
    }
}

std::string FleetHost::liveCert() const {
    std::string path = store() + "/live/shop/cert.pem";
    return exists(path) ? readFile(path) : "";
}

std::vector<std::string> FleetHost::dcvFiles() const {
    return listDir(webroot() + (m_env.options().acme ? "/.well-known/acme-challenge"
                                                     : "/.well-known/pki-validation"));
}

std::string FleetHost::acmeAccountUrl() const {
    // <store>/acme/<host>_<port>/<hash>/account.json: one CA, so one file.
    std::string top = store() + "/acme";
    if (!exists(top))
        return "";
    for (const auto& host : listDir(top))
        for (const auto& hash : listDir(top + "/" + host)) {
            std::string path = top + "/" + host + "/" + hash + "/account.json";
            if (exists(path))
                return jsonFields(path)["accountUrl"];
        }
    return "";
}

// --- FleetEnv ----------------------------------------------------------------------------------

FleetEnv::FleetEnv(FleetOptions options)
    : m_options(std::move(options)), m_cluster("fleet" + std::to_string(++clusterCounter)) {
    TestCa ca = TestCa::makeRoot("placeholder root");
    crypto::EvpPkeyPtr key = makeKey();
    CertSpec spec;
    spec.names = shopNames();
    writeFile(placeholderCert(), toPem(*ca.issue(*key, spec)));
    writeFile(placeholderKey(), keyToPem(*key), 0600);
    writeFile(fleetKeyFile(), cluster::FleetKey::generateText().reveal(), 0600);
    m_etcd = std::make_unique<EtcdCluster>(); // each test's own: stopped with the test
    for (int i = 0; i < m_options.hosts; ++i)
        m_hosts.push_back(std::make_unique<FleetHost>(*this, "web-" + std::to_string(i + 1)));
    std::string upstream = "upstream fleet_backends {\n";
    for (const auto& h : m_hosts)
        upstream += "    server 127.0.0.1:" + std::to_string(h->httpPort()) + ";\n";
    int port = freePort();
    m_balancer = std::make_unique<NginxProcess>();
    m_balancer->addServerFile(
        "balancer.conf", upstream + "}\nserver {\n    listen 127.0.0.1:" + std::to_string(port) +
                             ";\n    location / {\n        proxy_pass http://fleet_backends;\n"
                             "        proxy_set_header Host $host;\n    }\n}\n");
    m_balancer->start({port});
    SandboxOptions sandbox;
    sandbox.dcvConnect = "127.0.0.1:" + std::to_string(port);
    sandbox.issueDelaySeconds = m_options.issueDelaySeconds;
    sandbox.validityDays = m_options.validityDays;
    sandbox.extraArgs = {"--dcv-fetches", "3"};
    m_sandbox = std::make_unique<SandboxProcess>(sandbox);
    if (m_options.acme) {
        PebbleOptions pebble; // PEBBLE_VA_NOSLEEP=1: validation right away
        pebble.httpPort = port;
        pebble.env = {"PEBBLE_WFE_NONCEREJECT=5"}; // design-fleet case 12: bad nonces on the way
        m_pebble = std::make_unique<PebbleProcess>(pebble);
    }
    for (auto& h : m_hosts) {
        h->configure();
        h->certFile();
    }
}

FleetEnv::~FleetEnv() = default;

std::vector<std::string> FleetEnv::orderCalls() {
    if (m_pebble) // orders pebble made (a request it refused with badNonce makes none)
        return std::vector<std::string>(pebbleLogged("Added order "), "newOrder");
    std::vector<std::string> out;
    for (const auto& call : m_sandbox->calls())
        if (call == "addSSLOrder" || call == "reissueSSLOrder" || call == "addSSLRenewOrder")
            out.push_back(call);
    return out;
}

std::size_t FleetEnv::pebbleLogged(const std::string& text) const {
    std::istringstream lines(m_pebble->log());
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);)
        n += line.find(text) != std::string::npos ? 1 : 0;
    return n;
}

std::size_t FleetEnv::acmeAccountsMade() const {
    return pebbleLogged(" accounts in memory"); // "There are now N accounts in memory", once each
}

std::size_t FleetEnv::acmeCertificatesIssued() const {
    return pebbleLogged("Issued certificate serial ");
}

std::string FleetEnv::etcdDump() {
    return m_etcd->etcdctl({"get", "--prefix", "/certagent/v1/" + m_cluster + "/"});
}

long FleetEnv::etcdRequests() {
    const api::TlsSettings tls = m_etcd->agentTls();
    long total = 0;
    for (const auto& endpoint : m_etcd->endpoints()) {
        auto out = runCommand({"curl", "-sS", "--cacert", tls.caFile, "--cert", tls.clientCertFile,
                               "--key", tls.clientKeyFile, endpoint + "/metrics"});
        if (out.exitCode != 0)
            throw std::runtime_error(endpoint + "/metrics: " + out.output);
        std::istringstream lines(out.output);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind("grpc_server_handled_total{", 0) == 0)
                total += std::stol(line.substr(line.rfind(' ') + 1));
    }
    return total;
}

bool FleetEnv::converged() {
    std::string first;
    for (const auto& h : m_hosts) {
        for (const auto& name : shopNames()) {
            std::string sha = h->served(name);
            if (sha.empty() || (!first.empty() && sha != first))
                return false;
            first = sha;
        }
    }
    std::string placeholder = sha256Fingerprint(*certFromPem(readFile(placeholderCert())));
    return first != placeholder;
}

std::string FleetEnv::runUntilConverged(int rounds) {
    return runUntil([this] { return converged(); }, rounds);
}

std::string FleetEnv::runUntilReplaced(const std::string& old, int rounds) {
    return runUntil([this, &old] { return converged() && m_hosts[0]->served() != old; }, rounds);
}

std::string FleetEnv::runUntil(const std::function<bool()>& done, int rounds) {
    std::string outputs;
    for (int round = 0; round < rounds; ++round) {
        for (auto& h : m_hosts)
            outputs += "--- round " + std::to_string(round + 1) + ", " + h->name() + ":\n" +
                       h->agent({"run"}).output;
        if (done())
            return outputs;
    }
    return outputs;
}

} // namespace certagent::test
