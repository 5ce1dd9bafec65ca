// Certificate pairs on real nginx: an RSA + ECDSA block gets only the pair of the certificate's
// key type replaced; certificates in included snippets follow one policy (edit the snippet only
// if every block including it is the certificate's and it is no package conffile, else override
// in the block right after the include).
#include "NginxFixture.h"
#include "plugins/nginx/NginxInstaller.h"
#include "plugins/nginx/PackageFiles.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

using namespace certagent;
using namespace certagent::test;

namespace {

/// A server block for `names` with `body` (indented directives) on the site port.
std::string block(const NginxSite& site, const std::string& names, const std::string& body) {
    return "server {\n    listen 127.0.0.1:" + std::to_string(site.port) +
           " ssl;\n    server_name " + names + ";\n" + body +
           "    location / { return 200 \"ok\"; }\n}\n";
}

std::string pairLines(const std::string& dir) {
    return "    ssl_certificate " + dir + "/fullchain.pem;\n    ssl_certificate_key " + dir +
           "/privkey.pem;\n";
}

std::unique_ptr<core::Installer> withConffiles(NginxSite& site, std::vector<std::string> listed) {
    plugins::nginx::PlanSeams seams = plugins::nginx::defaultSeams();
    seams.isConffile = [listed](const std::string& path) {
        return std::find(listed.begin(), listed.end(), path) != listed.end();
    };
    return plugins::makeNginxInstaller(site.context(), seams);
}

} // namespace

BOOST_AUTO_TEST_SUITE(NginxPairs)

BOOST_AUTO_TEST_CASE(of_an_rsa_and_an_ecdsa_pair_only_the_ecdsa_one_is_replaced) {
    NginxSite site(false);
    const std::string rsa = site.dir / "rsa";
    const std::string rsaSha = site.issueTo(rsa, false, KeyKind::Rsa2048);
    const std::string ec = site.dir / "placeholder";
    const std::string text =
        block(site, "example.test www.example.test", pairLines(rsa) + pairLines(ec));
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    BOOST_REQUIRE_EQUAL(site.servedTo("example.test", "rsa-2048"), rsaSha);
    BOOST_REQUIRE_EQUAL(site.servedTo("example.test", "ec-p256"), site.placeholderSha);

    std::string v1 = site.installVersion(1);
    BOOST_CHECK_EQUAL(site.siteText(),
                      site.repointed(text, ec + "/fullchain.pem", ec + "/privkey.pem"));
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.servedTo("www.example.test", "ec-p256"), v1);
    BOOST_CHECK_EQUAL(site.servedTo("www.example.test", "rsa-2048"), rsaSha);

    // an RSA pair named with variables (loaded per handshake): its key type cannot be told
    const std::string byName = site.dir.path() + "/$ssl_server_name";
    writeFile(site.siteFile,
              block(site, "example.test www.example.test", pairLines(byName) + pairLines(ec)));
    auto unknown = site.installer();
    site.expectRefused(*unknown, site.target(),
                       "nginx: " + site.siteFile + ":4: ssl_certificate " + byName +
                           "/fullchain.pem uses variables, so certagent cannot tell its key type; "
                           "the server block at " +
                           site.siteFile +
                           ":1 has 2 certificates (one per key type): name the files directly",
                       {"example.test"});
}

BOOST_AUTO_TEST_CASE(a_snippet_shared_with_another_site_is_overridden_in_the_block) {
    NginxSite site(false);
    const std::string ph = site.dir / "placeholder";
    // h5bp's layout: every site includes the same certificate snippet
    const std::string snippet = site.nginx.prefix() + "/h5bp/tls/certificate_files.conf";
    const std::string snippetText = "# Certificate files, shared\nssl_certificate " + ph +
                                    "/fullchain.pem;\nssl_certificate_key " + ph +
                                    "/privkey.pem;\n";
    writeFile(snippet, snippetText);
    const std::string include = "    include h5bp/tls/certificate_files.conf;\n";
    const std::string text =
        block(site, "example.test www.example.test", include) + block(site, "other.test", include);
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    std::string v1 = site.installVersion(1);
    BOOST_CHECK_EQUAL(readFile(snippet), snippetText);
    BOOST_CHECK_EQUAL(site.siteText(),
                      replaced(text, include, include + pairLines(site.store + "/live/site")));
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.served("www.example.test"), v1);
    BOOST_CHECK_EQUAL(site.served("other.test"), site.placeholderSha);
}

BOOST_AUTO_TEST_CASE(a_snippet_only_the_certificates_blocks_include_is_edited_in_place) {
    NginxSite site(false);
    const std::string ph = site.dir / "placeholder";
    const std::string snippet = site.nginx.prefix() + "/snippets/example-tls.conf";
    writeFile(snippet, "ssl_certificate \"" + ph + "/fullchain.pem\";\r\nssl_certificate_key \"" +
                           ph + "/privkey.pem\";\r\n");
    const std::string include = "    include snippets/example-tls.conf;\n";
    const std::string text =
        block(site, "example.test", include) + block(site, "www.example.test", include);
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    std::string v1 = site.installVersion(1);
    BOOST_CHECK_EQUAL(site.siteText(), text);
    BOOST_CHECK_EQUAL(readFile(snippet), "ssl_certificate " + site.store +
                                             "/live/site/fullchain.pem;\r\nssl_certificate_key " +
                                             site.store + "/live/site/privkey.pem;\r\n");
    BOOST_CHECK(site.nginxAccepts());
    BOOST_CHECK_EQUAL(site.served("www.example.test"), v1);
}

BOOST_AUTO_TEST_CASE(a_package_conffile_snippet_is_never_edited) {
    // the dpkg database of this very host lists Debian's snakeoil snippet
    BOOST_CHECK(plugins::nginx::isPackageConffile("/etc/nginx/snippets/snakeoil.conf"));
    BOOST_CHECK(!plugins::nginx::isPackageConffile("/etc/hostname"));

    NginxSite site(false);
    // Debian's snippets/snakeoil.conf, with the ssl-cert package's RSA snakeoil certificate
    const std::string snake = site.dir / "snakeoil";
    const std::string snakeSha = site.issueTo(snake, false, KeyKind::Rsa2048);
    const std::string snippet = site.nginx.prefix() + "/snippets/snakeoil.conf";
    const std::string snippetText = "# Self signed certificates generated by the ssl-cert "
                                    "package\n# Don't use them in a production server!\n\n"
                                    "ssl_certificate " +
                                    snake + "/fullchain.pem;\nssl_certificate_key " + snake +
                                    "/privkey.pem;\n";
    writeFile(snippet, snippetText);
    const std::string include = "\tinclude snippets/snakeoil.conf;\n";
    const std::string text = block(site, "example.test www.example.test", include);
    writeFile(site.siteFile, text);
    site.nginx.start({site.port});
    auto installer = withConffiles(site, {snippet});
    std::string v1 = site.installVersion(1, installer.get(), snakeSha);
    BOOST_CHECK_EQUAL(readFile(snippet), snippetText);
    BOOST_CHECK_EQUAL(site.siteText(),
                      replaced(text, include,
                               include + "\tssl_certificate " + site.store +
                                   "/live/site/fullchain.pem;\n\tssl_certificate_key " +
                                   site.store + "/live/site/privkey.pem;\n"));
    BOOST_CHECK(site.nginxAccepts());
    // the snakeoil RSA pair stays loaded: only clients without ECDSA still get it
    BOOST_CHECK_EQUAL(site.servedTo("www.example.test", "ec-p256"), v1);
    BOOST_CHECK_EQUAL(site.servedTo("www.example.test", "rsa-2048"), snakeSha);
}

BOOST_AUTO_TEST_SUITE_END()
