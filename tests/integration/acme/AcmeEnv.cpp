#include "AcmeEnv.h"

#include "TestCa.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <dirent.h>
#include <sstream>
#include <sys/stat.h>

namespace certagent::test {

namespace {

const std::vector<std::string> kSiteNames = {"shop.example.test", "www.shop.example.test"};

void listTree(const std::string& dir, std::vector<std::string>& out) {
    for (const auto& name : entriesOf(dir)) {
        std::string path = dir + "/" + name;
        struct stat st {};
        ::lstat(path.c_str(), &st);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
        out.push_back(path + " " + mode);
        if (S_ISDIR(st.st_mode))
            listTree(path, out);
    }
}

} // namespace

std::vector<std::string> entriesOf(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return out;
    while (dirent* e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
            out.push_back(e->d_name);
    ::closedir(d);
    return out;
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

AcmeEnv::AcmeEnv(AcmeEnvOptions options) {
    ::mkdir((m_dir / "etc").c_str(), 0755);
    ::mkdir((m_dir / "etc/certs.d").c_str(), 0755);
    m_httpPort = freePort();
    // pebble's VA asks 127.0.0.1:<httpPort> for every name: one catch-all site serves the root.
    m_nginx.addHttpSite("validation", {"_"}, m_httpPort, webroot());
    std::vector<int> ports = {m_httpPort};
    if (options.tlsSite) {
        m_tlsPort = freePort();
        TestCa ca = TestCa::makeRoot("placeholder root");
        crypto::EvpPkeyPtr key = makeKey();
        CertSpec spec;
        spec.names = kSiteNames;
        writeFile(m_dir / "placeholder.pem", toPem(*ca.issue(*key, spec)));
        writeFile(m_dir / "placeholder.key", keyToPem(*key), 0600);
        m_nginx.addServerFile("shop.conf", NginxProcess::tlsServerBlock(kSiteNames, m_tlsPort,
                                                                        m_dir / "placeholder.pem",
                                                                        m_dir / "placeholder.key"));
        ports.push_back(m_tlsPort);
    }
    m_nginx.start(ports);
    options.pebble.httpPort = m_httpPort;
    m_pebble = std::make_unique<PebbleProcess>(options.pebble);
    if (options.ariShim)
        m_shim = std::make_unique<AriShim>(*m_pebble);
}

void AcmeEnv::configure(const std::string& extraMain) {
    std::string directory = m_shim ? m_shim->directoryUrl() : m_pebble->directoryUrl();
    std::string trust =
        contains(extraMain, "[trust]") ? "" : "[trust]\nca_file = " + m_pebble->rootPath(0) + "\n";
    std::string main = "[ca]\nbackend = acme\n"
                       "[acme]\ndirectory = " +
                       directory + "\nca_file = " + m_pebble->listenerCaPath() +
                       "\ncontact = ops@example.com\nagree_tos = yes\n"
                       "[store]\ndir = " +
                       store() + "\nlock_wait = 120s\n" + trust +
                       "[hooks]\ndir = " + (m_dir / "etc/hooks") +
                       "\n[nginx]\nbinary = " + NginxProcess::binary() +
                       "\nconfig = " + m_nginx.configPath() + "\nreload = signal\n" + extraMain;
    writeFile(m_dir / "etc/certagent.conf", main, 0644);
}

void AcmeEnv::cert(const std::string& name, const std::string& text) const {
    writeFile(m_dir / ("etc/certs.d/" + name + ".conf"), text, 0644);
}

std::string AcmeEnv::httpCert(const std::vector<std::string>& names,
                              const std::string& extra) const {
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    return "domains = " + list + "\ndcv = http\nwebroot = " + webroot() + "\n" + extra;
}

CommandOutput AcmeEnv::agent(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) const {
    std::vector<std::string> argv = {envPath("CERTAGENT_BIN"), "--config",
                                     m_dir / "etc/certagent.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, env, 300);
}

std::map<std::string, std::string> AcmeEnv::state(const std::string& name) const {
    return jsonFields(store() + "/state/" + name + ".json");
}

void AcmeEnv::dropStateKey(const std::string& key, const std::string& name) const {
    std::string path = store() + "/state/" + name + ".json";
    Poco::JSON::Parser parser;
    auto obj = parser.parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
    obj->remove(key);
    std::ostringstream out;
    obj->stringify(out);
    writeFile(path, out.str(), 0600);
}

std::string AcmeEnv::liveCert(const std::string& name) const {
    std::string path = store() + "/live/" + name + "/cert.pem";
    return exists(path) ? readFile(path) : "";
}

std::vector<std::string> AcmeEnv::challengeFiles() const {
    return entriesOf(webroot() + "/.well-known/acme-challenge");
}

std::vector<std::string> AcmeEnv::accountFiles() const {
    std::vector<std::string> out;
    listTree(store() + "/acme", out);
    return out;
}

} // namespace certagent::test
