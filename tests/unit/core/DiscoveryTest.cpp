// core/Discovery: what a server serves, with the facts of each certificate file, and the certs.d
// file `discover --write` makes — over a scripted installer (the real servers are in the nginx and
// apache integration tests).
#include "core/Discovery.h"

#include "TestCa.h"
#include "TestEnv.h"
#include "util/Error.h"
#include "util/FileIo.h"
#include "util/IsoTime.h"

#include <Poco/File.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <dirent.h>
#include <sys/stat.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;

namespace {

/// What the scripted server says, shared by every installer the factory makes.
struct Script {
    std::vector<ServedName> inventory;
    std::vector<ServedName> placements;
    std::string refuse;                ///< discover() throws ConfigError with this when set
    std::vector<std::string> keyTypes; ///< of each discover() call
    std::vector<std::string> noWebroot;
};

class ScriptedInstaller : public Installer {
  public:
    explicit ScriptedInstaller(Script& script) : m_script(script) {}
    std::string kind() const override { return "nginx"; }
    void discover(const DeployTarget& target) override {
        m_script.keyTypes.push_back(target.keyType);
        if (!m_script.refuse.empty())
            throw ConfigError(m_script.refuse);
    }
    void prepare() override {}
    bool apply() override { return false; }
    void test() override {}
    void reload() override {}
    void probe(const std::string&) override {}
    void restoreConfig() override {}
    std::optional<std::string> webrootFor(const std::string& domain) override {
        for (const std::string& d : m_script.noWebroot)
            if (d == domain)
                return std::nullopt;
        return "/var/www/" + domain;
    }
    std::vector<ServedName> placements() const override { return m_script.placements; }
    std::vector<ServedName> inventory() override { return m_script.inventory; }

  private:
    Script& m_script;
};

/// The clock of the run (whole seconds, so the file's timestamp can be compared).
const std::time_t kNow = std::time(nullptr);

struct Fixture {
    TempDir dir;
    config::Config config;
    std::unique_ptr<store::Store> store;
    CaBackends backends;
    SystemCommandRunner runner;
    HookRunner hooks{HookSettings{dir / "hooks", std::chrono::seconds(5)}, runner,
                     [](const std::string&) {}};
    Script script;
    std::unique_ptr<RunContext> ctx;
    test::TestCa root = test::TestCa::makeRoot("Discovery Root");
    test::TestCa inter = root.makeIntermediate("Discovery CA");

    Fixture() {
        ::mkdir((dir / "etc").c_str(), 0755);
        ::mkdir((dir / "etc/certs.d").c_str(), 0755);
        config.path = dir / "etc/certagent.conf";
        config.certsDir = dir / "etc/certs.d";
        config.storeDir = dir / "store";
        config.trustCaFile = dir / "root.pem";
        config.contact = {{"admin_firstname", "Ilze"},
                          {"admin_lastname", "Kalnina"},
                          {"admin_email", "ops@example.com"},
                          {"admin_phone", "37120000000"},
                          {"admin_title", "Ms"}};
        test::writeFile(config.trustCaFile, root.certPem());
        config::CertConfig shop;
        shop.name = "shop";
        shop.file = "certs.d/shop.conf";
        shop.domains = {"shop.test"};
        config.certs.push_back(shop);
        store = std::make_unique<store::Store>(config.storeDir, 5);
        InstallerFactory factory = [this](const std::string&, const InstallerContext&) {
            return std::unique_ptr<Installer>(new ScriptedInstaller(script));
        };
        ctx = std::make_unique<RunContext>(RunContext{config,
                                                      *store,
                                                      backends,
                                                      factory,
                                                      runner,
                                                      hooks,
                                                      [] { return kNow; },
                                                      [](std::chrono::seconds) {},
                                                      {},
                                                      std::nullopt});
    }

    /// A leaf for `names` (90 days from kNow) followed by the intermediate, at `path`.
    void servedFile(const std::string& path, const std::vector<std::string>& names,
                    test::KeyKind kind = test::KeyKind::EcP256, bool withChain = true) {
        test::CertSpec spec;
        spec.names = names;
        spec.notBeforeOffset = kNow - std::time(nullptr) - 3600;
        spec.notAfterOffset = kNow - std::time(nullptr) + 90L * 86400;
        std::string pem = test::toPem(*inter.issue(*test::makeKey(kind), spec));
        Poco::File(parentDir(path)).createDirectories();
        test::writeFile(path, pem + (withChain ? inter.certPem() : ""));
    }

    /// Entries of certs.d (also hidden ones), sorted.
    std::vector<std::string> certsDir() const {
        std::vector<std::string> out;
        DIR* d = ::opendir(config.certsDir.c_str());
        while (dirent* e = ::readdir(d))
            if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
                out.push_back(e->d_name);
        ::closedir(d);
        std::sort(out.begin(), out.end());
        return out;
    }

    CertFileRequest request(std::vector<std::string> domains) const {
        CertFileRequest r;
        r.name = "blog";
        r.domains = std::move(domains);
        r.installer = config::InstallerKind::Nginx;
        r.orderId = "1840217";
        return r;
    }

    /// writeCertFile must refuse with exactly `message` (exit 2) and leave certs.d as it was.
    void expectRefused(const CertFileRequest& r, const std::string& message) {
        std::vector<std::string> before = certsDir();
        auto e = test::expectThrow<ConfigError>([&] { writeCertFile(*ctx, r); });
        BOOST_TEST(e.what() == message);
        BOOST_TEST(certsDir() == before, boost::test_tools::per_element());
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(Discovery)

BOOST_FIXTURE_TEST_CASE(inventory_with_facts_of_each_file_and_who_manages_it, Fixture) {
    std::string live = config.storeDir + "/live/shop/fullchain.pem";
    std::string hand = dir / "ssl/old.pem";
    servedFile(live, {"shop.test"});
    servedFile(hand, {"old.test"}, test::KeyKind::Rsa2048, false);
    script.inventory = {
        {"shop.test", "127.0.0.1:443", "/n/shop.conf:3", "exact name", live, ""},
        {"old.test", "127.0.0.1:443", "/n/old.conf:1", "exact name", hand, ""},
        {"", "127.0.0.1:443", "/n/old.conf:1", "default server of 127.0.0.1:443", hand, ""},
        {"gone.test", "[::]:443", "/n/gone.conf:9", "exact name", dir / "nope", ""},
        {"bare.test", "[::]:443", "/n/bare.conf:2", "exact name", "", ""}};
    std::vector<DiscoveredName> found = discoverServed(*ctx, config::InstallerKind::Nginx);
    BOOST_REQUIRE_EQUAL(found.size(), 5u);
    const ServedCertificate& shop = found[0].certificate;
    BOOST_TEST(found[0].installer == "nginx");
    BOOST_TEST(found[0].managedBy == "shop");
    BOOST_TEST(shop.problem == "");
    BOOST_TEST(shop.subject == "CN = shop.test");
    BOOST_TEST(shop.issuer == "CN = Discovery CA");
    std::optional<std::time_t> notAfter = parseIsoUtc(shop.notAfter);
    BOOST_REQUIRE(notAfter);
    BOOST_TEST(std::llabs(*notAfter - (kNow + 90L * 86400)) <= 2); // the CA's own clock read
    BOOST_TEST(shop.daysLeft == 90);
    BOOST_TEST(shop.keyType == "ec-p256");
    BOOST_TEST(shop.names == std::vector<std::string>{"shop.test"});
    BOOST_TEST(shop.chainProblem == "");

    const ServedCertificate& old = found[1].certificate;
    BOOST_TEST(found[1].managedBy == "");
    BOOST_TEST(old.keyType == "rsa-2048");
    BOOST_TEST(old.chainProblem ==
               "verifying chain: no valid path to a trusted root in " + config.trustCaFile +
                   ": unable to get local issuer certificate (depth 0, CN=old.test)");
    BOOST_TEST(found[2].served.why == "default server of 127.0.0.1:443");
    BOOST_TEST(found[2].certificate.keyType == "rsa-2048");
    BOOST_TEST(found[3].certificate.problem.find(dir / "nope") != std::string::npos,
               found[3].certificate.problem);
    BOOST_TEST(found[4].certificate.problem == "no certificate file configured");
    BOOST_TEST(servedLine(found[2].served) ==
               "(any other name) on 127.0.0.1:443: /n/old.conf:1 (default server of "
               "127.0.0.1:443)");
    ServedName hostile{"a\nb.test", "127.0.0.1:443", "/n/x.conf:1", "exact\x1b[2J", "", ""};
    BOOST_TEST(servedLine(hostile) == "a\\nb.test on 127.0.0.1:443: /n/x.conf:1 (exact\\x1B[2J)");
}

BOOST_FIXTURE_TEST_CASE(write_makes_a_commented_file_with_the_served_key_type, Fixture) {
    std::string served = dir / "ssl/blog.pem";
    servedFile(served, {"blog.test", "www.blog.test"}, test::KeyKind::Rsa2048);
    script.placements = {
        {"blog.test", "*:443", "/n/blog.conf:2", "exact name", served, dir / "ssl/blog.key"},
        {"www.blog.test", "*:443", "/n/blog.conf:2", "exact name", served, dir / "ssl/blog.key"}};
    script.noWebroot = {"www.blog.test"};
    WrittenCertFile written = writeCertFile(*ctx, request({"Blog.test", " www.blog.test"}));
    // Asked with the default key type first, then again with the type served there.
    BOOST_TEST(script.keyTypes == (std::vector<std::string>{"ec-p256", "rsa-2048"}),
               boost::test_tools::per_element());
    BOOST_TEST(written.path == config.certsDir + "/blog.conf");
    BOOST_TEST(written.cert.domains == (std::vector<std::string>{"blog.test", "www.blog.test"}));
    BOOST_TEST(written.cert.keyType == "rsa-2048");
    BOOST_TEST(written.cert.orderId == 1840217);
    BOOST_TEST(written.cert.webroot == "auto");
    BOOST_TEST(std::string(config::installerName(written.cert.installer)) == "nginx");
    const std::string note = "webroot = auto finds no web root for www.blog.test (no plain-HTTP "
                             "block with a document root serves it); add one or set webroot = "
                             "/path";
    BOOST_TEST(written.notes == std::vector<std::string>{note}, boost::test_tools::per_element());
    std::string expected =
        "; certs.d/blog.conf, written by `certagent discover --write` at " + formatIsoUtc(kNow) +
        ".\n"
        "; What serves these names today (the server's own selection rules):\n"
        ";   blog.test on *:443: /n/blog.conf:2 (exact name), certificate " +
        served +
        "\n"
        ";   www.blog.test on *:443: /n/blog.conf:2 (exact name), certificate " +
        served +
        "\n"
        "; certagent orders (or reissues) a certificate for them and points these blocks at\n; " +
        config.storeDir +
        "/live/blog/. Try it first: certagent run --dry-run --cert blog\n"
        "; NOTE: " +
        note +
        "\n"
        "\n; Names on the certificate; the first is the common name.\n"
        "domains = blog.test, www.blog.test\n"
        "\n; An existing order (e.g. a multi-year subscription): renewals reissue it with a new\n"
        "; key. Or leave it out and place a new order with product_id and period.\n"
        "order_id = 1840217\n"
        "; product_id =\n"
        "; period = 12\n"
        "\n; Domain control validation: a file in the document root of the plain-HTTP block\n"
        "; that serves each name (auto), or an absolute path.\n"
        "dcv = http\n"
        "webroot = auto\n"
        "\n; The key type of the certificate served now (rsa-2048 | rsa-3072 | rsa-4096 |\n"
        "; ec-p256 | ec-p384); a new key is made for every renewal.\n"
        "key = rsa-2048\n"
        "\n; The web server whose blocks serve these names.\n"
        "installer = nginx\n";
    BOOST_TEST(test::readFile(written.path) == expected);
    struct stat st {};
    BOOST_TEST(::stat(written.path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0644u);
    BOOST_TEST(st.st_nlink == 1u); // the draft is gone
    BOOST_TEST(certsDir() == std::vector<std::string>{"blog.conf"});
}

BOOST_FIXTURE_TEST_CASE(wildcards_validate_by_dns_and_odd_keys_get_the_nearest_type, Fixture) {
    std::string served = dir / "ssl/w.pem";
    servedFile(served, {"*.w.test"}, test::KeyKind::Rsa1024);
    script.placements = {{"*.w.test", "*:443", "/n/w.conf:1", "wildcard *.w.test", served, ""}};
    CertFileRequest r = request({"*.w.test"});
    r.orderId.clear();
    r.productId = "65";
    WrittenCertFile written = writeCertFile(*ctx, r);
    BOOST_TEST(std::string(config::dcvName(written.cert.dcv)) == "dns");
    BOOST_TEST(written.cert.keyType == "rsa-2048");
    BOOST_TEST(written.cert.productId == 65);
    BOOST_TEST(written.notes ==
                   std::vector<std::string>{"the certificate served now has a rsa-1024 key, "
                                            "which certagent does not make; key = rsa-2048"},
               boost::test_tools::per_element());
    std::string text = test::readFile(written.path);
    BOOST_TEST(text.find("\ndcv = dns\n") != std::string::npos);
    BOOST_TEST(text.find("webroot") == std::string::npos);
    BOOST_TEST(text.find("\nproduct_id = 65\nperiod = 12\n") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(bad_input_is_refused_naming_it_and_nothing_is_written, Fixture) {
    script.placements = {{"blog.test", "*:443", "/n/blog.conf:2", "exact name", "", ""}};
    CertFileRequest r = request({"blog.test"});
    r.name = "../etc";
    expectRefused(r, "discover: --write: bad certificate name \"../etc\" (letters, digits, . _ -, "
                     "at most 64, starting with a letter or digit, no \"..\")");
    expectRefused(request({"127.0.0.1"}), "discover: --domains: \"127.0.0.1\" is not a DNS name");
    expectRefused(request({"a b.test"}), "discover: --domains: \"a b.test\" is not a DNS name");
    expectRefused(request({"blog.test", "BLOG.test"}),
                  "discover: --domains: blog.test is given twice");
    expectRefused(request({}), "discover: --domains: no names given");
    r = request({"blog.test"});
    r.orderId = "12\nwebroot = /etc";
    expectRefused(r, "discover: --order-id: expected a number, not \"12\\nwebroot = /etc\"");
    r = request({"blog.test"});
    r.productId = "65x";
    expectRefused(r, "discover: --product-id: expected a number, not \"65x\"");

    // What a deploy would refuse is refused now, in the plugin's words.
    script.refuse = "nginx: the block at /n/blog.conf:2 also serves other.test, which the "
                    "certificate's domains do not cover";
    expectRefused(request({"blog.test"}), script.refuse);
    script.refuse.clear();

    // A file that would not load is never published.
    r = request({"blog.test"});
    r.orderId.clear();
    expectRefused(r, "discover: the file would not load, not written: certs.d/blog.conf: order_id "
                     "or product_id: one of them must be set");
    expectRefused(request({"shop.test", "blog.test"}),
                  "discover: the file would not load, not written: certs.d/blog.conf: shares "
                  "shop.test with certs.d/shop.conf (each name may belong to one certificate "
                  "file only)");

    // An existing file is never replaced, whatever it holds.
    test::writeFile(config.certsDir + "/blog.conf", "; mine\n");
    expectRefused(request({"blog.test"}),
                  "discover: " + config.certsDir + "/blog.conf exists; not replacing it");
    BOOST_TEST(test::readFile(config.certsDir + "/blog.conf") == "; mine\n");
}

BOOST_FIXTURE_TEST_CASE(discover_asks_the_servers_that_are_installed_unless_one_is_named, Fixture) {
    config.nginx.binary = "/bin/sh";
    config.apache.binary = dir / "no-apache2";
    using Kinds = std::vector<config::InstallerKind>;
    BOOST_TEST((serversToDiscover(config, std::nullopt) == Kinds{config::InstallerKind::Nginx}));
    BOOST_TEST((serversToDiscover(config, config::InstallerKind::Apache) ==
                Kinds{config::InstallerKind::Apache}));
    config.nginx.binary = dir / "no-nginx";
    auto e = test::expectThrow<ConfigError>([&] { serversToDiscover(config, std::nullopt); });
    BOOST_TEST(e.what() == "discover: neither " + config.nginx.binary + " ([nginx] binary) nor " +
                               config.apache.binary +
                               " ([apache] binary) is installed; set the one your server uses");
}

BOOST_FIXTURE_TEST_CASE(served_by_asks_the_installer_of_the_certificate, Fixture) {
    config::CertConfig none = config.certs[0];
    BOOST_TEST(servedBy(*ctx, none).empty());
    BOOST_TEST(script.keyTypes.empty()); // installer = none: no server asked
    config::CertConfig shop = config.certs[0];
    shop.installer = config::InstallerKind::Nginx;
    shop.keyType = "ec-p384";
    script.placements = {{"shop.test", "*:443", "/n/shop.conf:1", "exact name", "", ""}};
    std::vector<ServedName> served = servedBy(*ctx, shop);
    BOOST_REQUIRE_EQUAL(served.size(), 1u);
    BOOST_TEST(served[0].block == "/n/shop.conf:1");
    BOOST_TEST(script.keyTypes == std::vector<std::string>{"ec-p384"});
}

BOOST_AUTO_TEST_SUITE_END()
