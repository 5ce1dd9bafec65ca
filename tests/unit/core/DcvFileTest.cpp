#include "core/DcvFile.h"

#include "TestEnv.h"
#include "core/backends/GoGetSslDcv.h"
#include "crypto/Csr.h"
#include "crypto/Keys.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;

namespace {

const std::vector<std::string> kNames = {"shop.example.test", "www.shop.example.test"};

struct Csr {
    crypto::SectigoDcv dcv;
    Csr() {
        auto key = crypto::generateKey(crypto::KeyType::EcP256);
        dcv = crypto::sectigoDcv(*crypto::makeCsr(*key, kNames));
    }
    api::DcvInfo info() const {
        api::DcvInfo i;
        i.method = "http";
        i.fileName = dcv.fileName;
        i.link = "http://shop.example.test/.well-known/pki-validation/" + dcv.fileName;
        i.content = dcv.fileFirstLine + "\r\nsectigo.com\r\nt0827792001533920169";
        return i;
    }
    std::string refusal(const api::DcvInfo& i) const {
        try {
            validateHttpDcv(i, "http", kNames, &dcv, "order 7");
        } catch (const RefusedError& e) {
            return e.what();
        }
        return "";
    }
};

unsigned modeOf(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(DcvFileTest)

BOOST_AUTO_TEST_CASE(accepts_the_values_of_our_own_csr) {
    Csr csr;
    auto file = validateHttpDcv(csr.info(), "http", kNames, &csr.dcv, "order 7");
    BOOST_TEST(file.fileName == csr.dcv.fileName);
    BOOST_TEST(file.host == "shop.example.test");
}

BOOST_AUTO_TEST_CASE(refuses_hostile_file_names) {
    Csr csr;
    for (std::string name : std::vector<std::string>{
             "../../etc/cron.d/x.txt", "a/b.txt", ".htaccess", "x.php", "%2e%2e.txt",
             std::string("a\0b.txt", 7), "", "x.txt.php", std::string(65, 'A') + ".txt"}) {
        auto i = csr.info();
        i.fileName = name;
        i.link = "http://shop.example.test/.well-known/pki-validation/" + name;
        BOOST_TEST(csr.refusal(i).find("order 7: dcv filename: ") == 0, name);
    }
}

BOOST_AUTO_TEST_CASE(refuses_foreign_links) {
    Csr csr;
    std::string path = "/.well-known/pki-validation/" + csr.dcv.fileName;
    for (std::string link : std::vector<std::string>{
             "http://evil.example/" + path, "http://evil@shop.example.test" + path,
             "ftp://shop.example.test" + path, "http://shop.example.test/.well-known/x.txt",
             "http://shop.example.test:8080" + path, "http://shop.example.test" + path + "?x"}) {
        auto i = csr.info();
        i.link = link;
        BOOST_TEST(csr.refusal(i).find("order 7: dcv link: ") == 0, link);
    }
    auto ok = csr.info();
    ok.link = "https://www.shop.example.test" + path;
    BOOST_TEST(csr.refusal(ok) == "");
}

BOOST_AUTO_TEST_CASE(refuses_hostile_content) {
    Csr csr;
    std::string first = csr.dcv.fileFirstLine;
    for (std::string content : std::vector<std::string>{
             first + "\r\n$(reboot)", first + "\r\n`id`", first + "; rm -rf /",
             first + std::string("\0x", 2), first + "\na\nb\nc\nd",
             first + "\n" + std::string(200, 'a'), std::string(""), first + "\x1b[2J"}) {
        auto i = csr.info();
        i.content = content;
        BOOST_TEST(csr.refusal(i).find("order 7: dcv content: ") == 0, content);
    }
}

BOOST_AUTO_TEST_CASE(refuses_values_that_disagree_with_our_csr) {
    Csr csr;
    Csr other;
    auto i = csr.info();
    i.fileName = other.dcv.fileName;
    i.link = "http://shop.example.test/.well-known/pki-validation/" + i.fileName;
    BOOST_TEST(csr.refusal(i) == "order 7: dcv filename: " + i.fileName +
                                     " differs from the MD5 of our CSR (" + csr.dcv.fileName + ")");
    i = csr.info();
    i.content = other.dcv.fileFirstLine + "\r\nsectigo.com";
    BOOST_TEST(csr.refusal(i) == "order 7: dcv content: first line differs from the SHA-256 of "
                                 "our CSR");
    i = csr.info();
    i.method = "dns";
    BOOST_TEST(csr.refusal(i) == "order 7: dcv method: \"dns\" is not the configured http");
}

BOOST_AUTO_TEST_CASE(places_with_fixed_modes_whatever_the_umask) {
    TempDir dir;
    Csr csr;
    auto file = validateHttpDcv(csr.info(), "http", kNames, &csr.dcv, "");
    mode_t old = ::umask(077);
    auto placed = placeDcvFile(dir.path(), file);
    ::umask(old);
    BOOST_TEST(placed.created);
    BOOST_TEST(placed.path == dir.path() + "/.well-known/pki-validation/" + file.fileName);
    BOOST_TEST(modeOf(dir.path() + "/.well-known") == 0755u);
    BOOST_TEST(modeOf(dir.path() + "/.well-known/pki-validation") == 0755u);
    BOOST_TEST(modeOf(placed.path) == 0644u);
    BOOST_TEST(test::readFile(placed.path) == file.content);

    auto again = placeDcvFile(dir.path(), file); // identical: fine, but not ours to remove
    BOOST_TEST(!again.created);
    auto different = file;
    different.content = "OTHER";
    BOOST_CHECK_THROW(placeDcvFile(dir.path(), different), RefusedError);

    BOOST_TEST(removeDcvFile(placed.path));
    BOOST_TEST(!test::exists(placed.path));
    BOOST_TEST(!removeDcvFile(dir.path() + "/etc/passwd"));
}

BOOST_AUTO_TEST_CASE(refuses_symlinked_directories) {
    TempDir dir;
    TempDir elsewhere;
    Csr csr;
    auto file = validateHttpDcv(csr.info(), "http", kNames, &csr.dcv, "");
    BOOST_REQUIRE(::symlink(elsewhere.path().c_str(), (dir / ".well-known").c_str()) == 0);
    BOOST_CHECK_THROW(placeDcvFile(dir.path(), file), RefusedError);
    BOOST_TEST(!test::exists(elsewhere / "pki-validation"));

    TempDir dir2;
    ::mkdir((dir2 / ".well-known").c_str(), 0755);
    BOOST_REQUIRE(
        ::symlink(elsewhere.path().c_str(), (dir2 / ".well-known/pki-validation").c_str()) == 0);
    BOOST_CHECK_THROW(placeDcvFile(dir2.path(), file), RefusedError);
    BOOST_TEST(!test::exists(elsewhere / file.fileName));

    TempDir dir3; // a symlink where the file goes
    ::mkdir((dir3 / ".well-known").c_str(), 0755);
    ::mkdir((dir3 / ".well-known/pki-validation").c_str(), 0755);
    std::string target = elsewhere / "victim";
    BOOST_REQUIRE(::symlink(target.c_str(),
                            (dir3 / (".well-known/pki-validation/" + file.fileName)).c_str()) == 0);
    BOOST_CHECK_THROW(placeDcvFile(dir3.path(), file), RefusedError);
    BOOST_TEST(!test::exists(target));
}

BOOST_AUTO_TEST_CASE(refuses_directories_owned_by_someone_else) {
    if (::geteuid() != 0)
        return; // needs root to hand the directory to another user
    TempDir dir;
    Csr csr;
    auto file = validateHttpDcv(csr.info(), "http", kNames, &csr.dcv, "");
    ::mkdir((dir / ".well-known").c_str(), 0755);
    BOOST_REQUIRE(::chown((dir / ".well-known").c_str(), 65534, 65534) == 0);
    try {
        placeDcvFile(dir.path(), file);
        BOOST_FAIL("placed below a foreign directory");
    } catch (const RefusedError& e) {
        BOOST_TEST(std::string(e.what()) == dir / ".well-known" +
                                                ": owned by uid 65534, not root or the web "
                                                "root's owner");
    }
}

BOOST_AUTO_TEST_SUITE_END()
