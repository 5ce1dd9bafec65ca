#pragma once

// A valid configuration in a fresh directory: certagent.conf, credentials.conf and
// certs.d/shop.conf, for tests that break one thing at a time.

#include "TestEnv.h"
#include "config/Config.h"
#include "util/Error.h"

#include <string>

namespace certagent::test {

inline const char* const kMain = "[api]\n"
                                 "url = https://127.0.0.1:1/api   ; sandbox\n"
                                 "credentials = credentials.conf\n"
                                 "timeout = 10s # ten seconds\n"
                                 "# a comment line\n"
                                 "[store]\n"
                                 "dir = store\n"
                                 "[renewal]\n"
                                 "before = 1/3\n"
                                 "[contact]\n"
                                 "admin_firstname = Ilze\n"
                                 "admin_lastname = Kalnina\n"
                                 "admin_email = ops@example.com\n"
                                 "admin_phone = 37120000000\n"
                                 "admin_title = Ms\n";

inline const char* const kCert = "domains = Example.com, www.example.com\n"
                                 "product_id = 65\n"
                                 "dcv = http\n"
                                 "webroot = /var/www/example\n";

/// kMain, credentials and kCert as shop.conf in `etc` (the temp dir itself, or a subdirectory).
struct ConfigFixture {
    TempDir dir;
    std::string etc;

    explicit ConfigFixture(const std::string& sub = "")
        : etc(sub.empty() ? dir.path() : dir / sub) {
        writeFile(etc + "/certagent.conf", kMain, 0644);
        writeFile(etc + "/credentials.conf", "user = me@example.com\npass = hunter2\n", 0600);
        writeFile(etc + "/certs.d/shop.conf", kCert, 0644);
    }
    std::string main() const { return etc + "/certagent.conf"; }
    /// The whole message of the ConfigError that loadConfig throws, or "(no error)".
    std::string error() const {
        try {
            config::loadConfig(main());
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(no error)";
    }
    void cert(const std::string& text) const { writeFile(etc + "/certs.d/shop.conf", text, 0644); }
    /// Writes certs.d/NAME.conf.
    void cert(const std::string& name, const std::string& text) const {
        writeFile(etc + "/certs.d/" + name + ".conf", text, 0644);
    }
};

} // namespace certagent::test
