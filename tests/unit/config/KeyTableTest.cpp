// The key table can express what the coming keys need: a section family [acme-NAME], a key only
// for some value of another ("only for backend = gogetssl"), a key required unless another is set
// ("order_id or product_id"), a key required for some value of another; and the real tables'
// defaults are the structs' own.
#include "config/KeyTable.h"

#include "ConfigFixture.h"
#include "TestEnv.h"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace certagent;
using namespace certagent::config;
using certagent::test::TempDir;
using certagent::test::writeFile;

namespace {

struct Profile {
    std::string directory;
    Seconds timeout{0};
};

struct Toy {
    std::string backend;
    int webserverType = -1;
    long long orderId = 0;
    long long productId = 0;
    std::string dcv;
    std::string webroot;
    std::map<std::string, Profile> acme;
};

std::string orderIdText(const Toy& t) {
    return t.orderId ? std::to_string(t.orderId) : "";
}

const KeyTable<Toy>& toyTable() {
    using Row = KeyRow<Toy>;
    static const KeyTable<Toy> table{
        Headers::Sections,
        "",
        {
            Row("cert", "backend", oneOf({"gogetssl", "acme"}, at(&Toy::backend)))
                .byDefault("gogetssl"),
            Row("cert", "webserver_type", intRange(-1, 99, at(&Toy::webserverType)))
                .onlyFor(
                    keyIs<Toy>("backend", {"gogetssl"}, [](const Toy& t) { return t.backend; })),
            Row("cert", "order_id", intRange(1, 999, at(&Toy::orderId))).emptyMeansUnset(),
            Row("cert", "product_id", intRange(1, 999, at(&Toy::productId)))
                .emptyMeansUnset()
                .unless(keyIs<Toy>("order_id", {}, orderIdText)),
            Row("cert", "dcv", oneOf({"http", "dns"}, at(&Toy::dcv))).byDefault("http"),
            Row("cert", "webroot", absolutePath(at(&Toy::webroot)))
                .requiredFor(keyIs<Toy>("dcv", {"http"}, [](const Toy& t) { return t.dcv; })),
            Row("acme-*", "directory", httpsUrl(inFamily(&Toy::acme, &Profile::directory)))
                .isRequired(),
            Row("acme-*", "timeout", duration(inFamily(&Toy::acme, &Profile::timeout)))
                .byDefault("30s"),
        }};
    return table;
}

struct ToyFile {
    TempDir dir;
    Toy toy;
    /// Reads `text` as toy.conf; returns the ConfigError's message or "(no error)".
    std::string read(const std::string& text) {
        writeFile(dir / "toy.conf", text, 0644);
        toy = Toy{};
        try {
            IniFile ini(dir / "toy.conf", "toy.conf");
            readKeys(ini, toyTable(), toy, dir.path());
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(no error)";
    }
};

const char* const kCertOk = "[cert]\norder_id = 7\nwebroot = /srv/www\n";

} // namespace

BOOST_AUTO_TEST_SUITE(KeyTable)

BOOST_FIXTURE_TEST_CASE(defaults_apply_when_absent, ToyFile) {
    BOOST_TEST(read(kCertOk) == "(no error)");
    BOOST_TEST(toy.backend == "gogetssl");
    BOOST_TEST(toy.dcv == "http");
    BOOST_TEST(toy.orderId == 7);
}

BOOST_FIXTURE_TEST_CASE(key_only_for_another_keys_value, ToyFile) {
    BOOST_TEST(read(std::string(kCertOk) + "webserver_type = 18\n") == "(no error)");
    BOOST_TEST(toy.webserverType == 18);
    BOOST_TEST(read(std::string(kCertOk) + "backend = acme\nwebserver_type = 18\n") ==
               "toy.conf:5: [cert] webserver_type: only for backend = gogetssl");
}

BOOST_FIXTURE_TEST_CASE(required_unless_another_is_set, ToyFile) {
    BOOST_TEST(read("[cert]\nwebroot = /srv\n") ==
               "toy.conf: order_id or product_id: one of them must be set");
    BOOST_TEST(read("[cert]\nproduct_id = 65\nwebroot = /srv\n") == "(no error)");
    BOOST_TEST(read("[cert]\norder_id =\nproduct_id =\nwebroot = /srv\n") ==
               "toy.conf: order_id or product_id: one of them must be set");
}

BOOST_FIXTURE_TEST_CASE(required_for_another_keys_value, ToyFile) {
    BOOST_TEST(read("[cert]\norder_id = 7\n") ==
               "toy.conf: [cert] webroot: required for dcv = http");
    BOOST_TEST(read("[cert]\norder_id = 7\ndcv = dns\n") == "(no error)");
}

BOOST_FIXTURE_TEST_CASE(section_family, ToyFile) {
    BOOST_TEST(read(std::string(kCertOk) +
                    "[acme-le]\ndirectory = https://acme.example/dir\n"
                    "[acme-test]\ndirectory = https://127.0.0.1:14000/dir\ntimeout = 5s\n") ==
               "(no error)");
    BOOST_REQUIRE(toy.acme.size() == 2u);
    BOOST_TEST(toy.acme["le"].directory == "https://acme.example/dir");
    BOOST_TEST(toy.acme["le"].timeout.count() == 30);
    BOOST_TEST(toy.acme["test"].timeout.count() == 5);
    BOOST_TEST(read(std::string(kCertOk) + "[acme-le]\ntimeout = 5s\n") ==
               "toy.conf: [acme-le] directory: missing");
    BOOST_TEST(read(std::string(kCertOk) + "[acme-le]\ndirectory = http://x/\n") ==
               "toy.conf:5: [acme-le] directory: must start with https://");
    BOOST_TEST(read(std::string(kCertOk) + "[acme-le]\ndirectory = https://x/\nfoo = 1\n") ==
               "toy.conf:6: unknown key \"foo\" in [acme-le]");
    for (const char* bad : {"[acme-]", "[acme-a..b]", "[acme-*]", "[acme]"})
        BOOST_TEST(read(std::string(kCertOk) + bad + "\n") ==
                       std::string("toy.conf: unknown section ") + bad,
                   bad);
}

BOOST_FIXTURE_TEST_CASE(unknown_keys_and_lines, ToyFile) {
    BOOST_TEST(read("stray = 1\n") == "toy.conf:1: key \"stray\" outside a section");
    BOOST_TEST(read("[cert]\nOrder_ID = 1\norder_id = 2\n") ==
               "toy.conf:3: duplicate key \"order_id\"");
    BOOST_TEST(read("[cert]\nwebroot\n") == "toy.conf:2: expected key = value");
    BOOST_TEST(read("[cert\n") == "toy.conf:1: malformed section header");
    BOOST_TEST(read("[cert]\n= 1\n") == "toy.conf:2: empty key");
}

BOOST_FIXTURE_TEST_CASE(values_keep_what_follows_the_first_equals_sign, ToyFile) {
    writeFile(dir / "v.conf", "[s]\na = b = c ; note\nd = x;y\ne = \"q\" # c\n", 0644);
    IniFile ini(dir / "v.conf", "v.conf");
    BOOST_REQUIRE(ini.entries().size() == 3u);
    BOOST_TEST(ini.find("s", "a")->value == "b = c");
    BOOST_TEST(ini.find("s", "a")->line == 2);
    BOOST_TEST(ini.find("s", "d")->value == "x;y");
    BOOST_TEST(ini.find("s", "e")->value == "\"q\"");
    BOOST_TEST(ini.find("s", "A") == nullptr);
}

BOOST_AUTO_TEST_CASE(real_tables_default_to_the_structs_values) {
    test::ConfigFixture f;
    writeFile(f.main(), "[contact]\nadmin_firstname = Ilze\n", 0644);
    f.cert("domains = example.com\norder_id = 5\ndcv = email\n");
    Config loaded = loadConfig(f.main());
    const Config plain;
    BOOST_TEST(loaded.api.url == "https://my.gogetssl.com/api");
    BOOST_TEST(loaded.api.timeout.count() == plain.api.timeout.count());
    BOOST_TEST(loaded.storeDir == plain.storeDir);
    BOOST_TEST(loaded.keepVersions == plain.keepVersions);
    BOOST_TEST(loaded.lockWait.count() == plain.lockWait.count());
    BOOST_TEST(loaded.renewBefore.text() == plain.renewBefore.text());
    BOOST_TEST(loaded.hooksTimeout.count() == plain.hooksTimeout.count());
    BOOST_TEST(loaded.hooksDir == f.etc + "/hooks");
    BOOST_TEST(loaded.certsDir == f.etc + "/certs.d");
    BOOST_TEST(loaded.api.credentialsFile == f.etc + "/credentials.conf");
    BOOST_TEST(loaded.api.caFile.empty());
    BOOST_TEST(loaded.trustCaFile.empty());
    BOOST_TEST(loaded.metricsTextfile.empty());
    for (auto [got, want] :
         {std::pair(loaded.nginx, plain.nginx), std::pair(loaded.apache, plain.apache)}) {
        BOOST_TEST(got.binary == want.binary);
        BOOST_TEST(got.config == want.config);
        BOOST_TEST(got.reload == want.reload);
    }
    BOOST_TEST(loaded.log.target == plain.log.target);
    BOOST_TEST(loaded.log.file == plain.log.file);
    BOOST_TEST(loaded.log.level == plain.log.level);
    const CertConfig& cert = loaded.cert("shop");
    const CertConfig blank;
    BOOST_TEST(cert.keyType == blank.keyType);
    BOOST_TEST((cert.installer == blank.installer));
    BOOST_TEST(cert.period == blank.period);
    BOOST_TEST(cert.reuseKey == blank.reuseKey);
    BOOST_TEST(cert.autoRenewOrder == blank.autoRenewOrder);
    BOOST_TEST(cert.productId == blank.productId);
    BOOST_TEST(cert.contact->at("tech_firstname") == "Ilze");
    f.cert("domains = example.com\norder_id = 5\nwebroot = /srv\n");
    BOOST_TEST((loadConfig(f.main()).cert("shop").dcv == blank.dcv));
}

BOOST_AUTO_TEST_SUITE_END()
