// Shared by the tests of the scripts in hooks/: stand-ins for systemctl, haproxy, postfix,
// doveadm, curl, sendmail, nsupdate and certagent first on a PATH the test controls.
#pragma once

#include "TestEnv.h"
#include "util/Subprocess.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace certagent::test::hooks {

inline bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

/// A temp dir with bin/ (fake commands that log "name args..." to calls.log), a settings file
/// and the CERTAGENT_* environment of a deploy of certificate "shop".
struct Fixture {
    TempDir tmp;
    std::map<std::string, std::string> env;

    Fixture() {
        ::mkdir((tmp / "bin").c_str(), 0755);
        writeFile(tmp / "live/privkey.pem", "KEY\n", 0600);
        writeFile(tmp / "live/fullchain.pem", "LEAF\nINTERMEDIATE\n");
        env = {{"PATH", tmp / "bin:/usr/bin:/bin"},
               {"CERTAGENT_HOOK_CONFIG", tmp / "hook.conf"},
               {"CERTAGENT_EVENT", "deploy"},
               {"CERTAGENT_NAME", "shop"},
               {"CERTAGENT_DOMAINS", "shop.example www.shop.example"},
               {"CERTAGENT_ORDER_ID", "1840217"},
               {"CERTAGENT_LIVE_DIR", tmp / "live"},
               {"CERTAGENT_KEY", tmp / "live/privkey.pem"},
               {"CERTAGENT_FULLCHAIN", tmp / "live/fullchain.pem"},
               {"CERTAGENT_NOT_AFTER", "2027-06-01T00:00:00Z"},
               {"CERTAGENT_ERROR", ""}};
    }
    /// A stand-in command: logs its argv, saves stdin when `saveStdin`, then runs `body`.
    void fake(const std::string& name, const std::string& body = "exit 0", bool saveStdin = false) {
        std::string script =
            "#!/bin/sh\necho \"" + name + " $*\" >> '" + tmp / "calls.log" + "'\n" +
            (saveStdin ? "cat > '" + tmp / (name + ".stdin") + "'\n" : "") + body + "\n";
        std::string path = tmp / ("bin/" + name);
        writeFile(path, script, 0755);
        ::chmod(path.c_str(), 0755);
    }
    /// systemctl whose is-active answers from the set of active units.
    void systemctl(const std::string& activeUnit) {
        fake("systemctl", "[ \"$1\" = is-active ] && { [ \"$3\" = '" + activeUnit +
                              "' ] && exit 0; exit 3; }\nexit 0");
    }
    void settings(const std::string& text, unsigned mode = 0600) {
        writeFile(tmp / "hook.conf", text, mode);
        ::chmod((tmp / "hook.conf").c_str(), mode);
    }
    SubprocessResult run(const std::string& hook, const std::vector<std::string>& args = {},
                         const std::string& stdinData = "") {
        SubprocessOptions options;
        options.env = env;
        options.stdinData = stdinData;
        options.timeout = std::chrono::seconds(60);
        std::vector<std::string> argv = {test::envPath("CERTAGENT_SOURCE_DIR") + "/hooks/" + hook};
        argv.insert(argv.end(), args.begin(), args.end());
        SystemCommandRunner runner;
        SubprocessResult result = runner.run(argv, options);
        BOOST_TEST_MESSAGE(hook << ": " << result.describe() << "\n" << result.output);
        return result;
    }
    std::string calls() const {
        return exists(tmp / "calls.log") ? readFile(tmp / "calls.log") : "";
    }
};

inline unsigned modeOf(const std::string& path) {
    struct stat st;
    BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

} // namespace certagent::test::hooks
