// Builds the .deb with cpack from the already-built binary, unpacks it with dpkg -x into a temp
// root and runs what it contains from there.
#include "TestEnv.h"

#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace certagent::test;

namespace {

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

std::string findDeb(const std::string& dir) {
    std::string found;
    DIR* handle = ::opendir(dir.c_str());
    BOOST_REQUIRE(handle);
    while (struct dirent* e = ::readdir(handle)) {
        std::string name = e->d_name;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".deb") == 0)
            found = dir + "/" + name;
    }
    ::closedir(handle);
    return found;
}

bool executable(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/// One .deb per test process: cpack is slow, so the cases share it.
struct Package {
    TempDir tmp;
    std::string deb;
    std::string root = tmp / "root";
    Package() {
        std::string build = envPath("CERTAGENT_BUILD_DIR");
        CommandOutput out = runCommand(
            {"cpack", "-G", "DEB", "--config", build + "/CPackConfig.cmake", "-B", tmp / "pkg"}, {},
            1200);
        BOOST_TEST_MESSAGE(out.output);
        BOOST_REQUIRE_MESSAGE(out.exitCode == 0, "cpack failed:\n" + out.output);
        deb = findDeb(tmp / "pkg");
        BOOST_REQUIRE(!deb.empty());
        out = runCommand({"dpkg", "-x", deb, root});
        BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.output);
    }
};

Package& package() {
    static Package p;
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(PackageTest)

BOOST_AUTO_TEST_CASE(control_fields) {
    Package& p = package();
    CommandOutput info = runCommand({"dpkg-deb", "-f", p.deb, "Package", "Depends"});
    BOOST_REQUIRE_EQUAL(info.exitCode, 0);
    BOOST_TEST_INFO(info.output);
    BOOST_TEST(contains(info.output, "Package: certagent"));
    // From dpkg-shlibdeps: the Poco runtime packages and OpenSSL.
    BOOST_TEST(contains(info.output, "libpocofoundation"));
    BOOST_TEST(contains(info.output, "libpoconetssl"));
    BOOST_TEST(contains(info.output, "libssl3"));
    BOOST_TEST(contains(info.output, "ca-certificates"));
    CommandOutput conffiles = runCommand({"dpkg-deb", "-I", p.deb, "conffiles"});
    BOOST_TEST(conffiles.output == "/etc/cron.d/certagent\n");
}

BOOST_AUTO_TEST_CASE(fhs_layout) {
    Package& p = package();
    BOOST_TEST(executable(p.root + "/usr/sbin/certagent"));
    BOOST_TEST(exists(p.root + "/usr/share/man/man8/certagent.8.gz"));
    for (const char* f :
         {"certagent.conf", "credentials.conf", "certs.d/example.conf", "system/certagent.service",
          "system/certagent.timer", "system/certagent-sync.service", "system/certagent-sync.timer",
          "system/certagent"})
        BOOST_TEST(exists(p.root + "/usr/share/doc/certagent/examples/" + f), f);
    BOOST_TEST(exists(p.root + "/usr/share/doc/certagent/README.md"));
    for (const char* h : {"haproxy", "postfix-reload", "dovecot-reload", "webhook", "mail",
                          "dns-nsupdate", "ci-install"})
        BOOST_TEST(executable(p.root + "/usr/share/certagent/hooks/" + h), h);
    for (const char* unit :
         {"certagent.service", "certagent.timer", "certagent-sync.service", "certagent-sync.timer"})
        BOOST_TEST(exists(p.root + "/lib/systemd/system/" + unit), unit);
    BOOST_TEST(exists(p.root + "/etc/cron.d/certagent"));
    BOOST_TEST(exists(p.root + "/etc/certagent/hooks/deploy.d"));
    struct stat st;
    BOOST_REQUIRE_EQUAL(
        ::stat((p.root + "/usr/share/doc/certagent/examples/credentials.conf").c_str(), &st), 0);
    BOOST_TEST((st.st_mode & 077) == 0u);
    // The HTTPS transport the binary loads on its first request (../lib/certagent/modules).
    const std::string module = p.root + "/usr/lib/certagent/modules/certagent-https.so";
    BOOST_REQUIRE_EQUAL(::stat(module.c_str(), &st), 0);
    BOOST_TEST((st.st_mode & 07777) == 0644u);
}

BOOST_AUTO_TEST_CASE(copyright_changelog_and_lintian) {
    Package& p = package();
    std::string doc = p.root + "/usr/share/doc/certagent/";
    std::string copyright = readFile(doc + "copyright");
    BOOST_TEST(contains(copyright, "Format: https://www.debian.org/doc/packaging-manuals/"));
    BOOST_TEST(contains(copyright, "License: Expat"));
    CommandOutput changelog = runCommand({"zcat", doc + "changelog.gz"});
    BOOST_TEST(changelog.exitCode == 0);
    BOOST_TEST(contains(changelog.output, "certagent (" CERTAGENT_VERSION ")"));
    if (::access("/usr/bin/lintian", X_OK) != 0) {
        BOOST_TEST_MESSAGE("skipped lintian: not installed");
        return;
    }
    // Debian's own checker: no error and no warning (info and overrides are fine).
    CommandOutput lint = runCommand({"lintian", "--fail-on", "error,warning", p.deb}, {}, 600);
    BOOST_TEST_INFO(lint.output);
    BOOST_TEST(lint.exitCode == 0);
}

BOOST_AUTO_TEST_CASE(unpacked_binary_runs_with_example_config) {
    Package& p = package();
    std::string bin = p.root + "/usr/sbin/certagent";
    CommandOutput version = runCommand({bin, "--version"});
    BOOST_TEST(version.exitCode == 0);
    BOOST_TEST(contains(version.output, "certagent"));
    // The shipped example loads and status on an empty store exits 0: once from a copy whose
    // store is a temp dir, and as shipped when /var/lib/certagent does not exist here (status
    // creates nothing).
    std::string examples = p.root + "/usr/share/doc/certagent/examples";
    TempDir copy;
    std::string conf = readFile(examples + "/certagent.conf");
    std::string storeLine = "dir = /var/lib/certagent\n";
    BOOST_REQUIRE(contains(conf, storeLine));
    conf.replace(conf.find(storeLine), storeLine.size(), "dir = " + copy / "store" + "\n");
    writeFile(copy / "certagent.conf", conf);
    writeFile(copy / "certs.d/example.conf", readFile(examples + "/certs.d/example.conf"));
    CommandOutput status =
        runCommand({bin, "--config", copy / "certagent.conf", "status"}, {}, 120);
    BOOST_TEST_INFO(status.output);
    BOOST_TEST(status.exitCode == 0);
    BOOST_TEST(contains(status.output, "example"));
    if (exists("/var/lib/certagent"))
        return;
    status = runCommand({bin, "--config", examples + "/certagent.conf", "status"}, {}, 120);
    BOOST_TEST_INFO(status.output);
    BOOST_TEST(status.exitCode == 0);
    BOOST_TEST(!exists("/var/lib/certagent"));
}

BOOST_AUTO_TEST_CASE(systemd_units_verify) {
    if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
        BOOST_TEST_MESSAGE("skipped: systemd-analyze is not installed");
        return;
    }
    Package& p = package();
    // verify insists that ExecStart exists: point it at the unpacked binary.
    TempDir units;
    const std::string system = p.root + "/lib/systemd/system/";
    std::vector<std::string> argv = {"systemd-analyze", "verify", "--man=no"};
    for (const std::string run : {"certagent", "certagent-sync"}) {
        std::string service = readFile(system + run + ".service");
        std::string from = "ExecStart=/usr/sbin/certagent ";
        BOOST_REQUIRE(contains(service, from));
        service.replace(service.find(from), from.size(),
                        "ExecStart=" + p.root + "/usr/sbin/certagent ");
        writeFile(units / (run + ".service"), service);
        writeFile(units / (run + ".timer"), readFile(system + run + ".timer"));
        argv.push_back(units / (run + ".service"));
        argv.push_back(units / (run + ".timer"));
    }
    BOOST_TEST(contains(readFile(system + "certagent-sync.service"),
                        "ExecStart=/usr/sbin/certagent sync\n"));
    BOOST_TEST(contains(readFile(system + "certagent-sync.timer"), "OnUnitActiveSec=5min\n"));
    CommandOutput out = runCommand(argv);
    BOOST_TEST_INFO(out.output);
    BOOST_TEST(out.exitCode == 0);
    BOOST_TEST(out.output.empty()); // unknown keys are only warnings: none allowed
}

BOOST_AUTO_TEST_SUITE_END()
