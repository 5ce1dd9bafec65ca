// How often one issuance rewrites the certificate's state file (each save is a temp file, two
// fsyncs and a rename): counted with inotify on <store>/state, so a change that adds saves to
// the issuance path shows here, and one that coalesces them can lower the bound (issue 13).
#include "AgentEnv.h"

#include <boost/test/unit_test.hpp>

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace certagent::test;

namespace {

/// Counts renames onto one file name in a directory from construction to count().
class RenameCounter {
  public:
    RenameCounter(const std::string& dir, std::string name)
        : m_fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), m_name(std::move(name)) {
        BOOST_TEST_REQUIRE(m_fd >= 0);
        // IN_CREATE too: the kernel merges an event into an identical last one, so renames
        // alone would count once; each save creates its temp file in between.
        BOOST_TEST_REQUIRE(::inotify_add_watch(m_fd, dir.c_str(), IN_MOVED_TO | IN_CREATE) >= 0);
    }
    RenameCounter(const RenameCounter&) = delete;
    RenameCounter& operator=(const RenameCounter&) = delete;
    ~RenameCounter() { ::close(m_fd); }
    /// Renames onto the name seen so far (reads every queued event).
    int count() {
        alignas(inotify_event) char buf[64 * 1024];
        for (;;) {
            const ssize_t n = ::read(m_fd, buf, sizeof buf);
            if (n <= 0)
                return m_count;
            for (ssize_t at = 0; at < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
                if ((e->mask & IN_MOVED_TO) != 0 && e->len > 0 && m_name == e->name)
                    ++m_count;
                at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
        }
    }

  private:
    int m_fd;
    std::string m_name;
    int m_count = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(StateWrites)

// The saves of a first issuance with http DCV, each before the step that needs it on disk: the
// intent (before the CA is called), the placed order (in a fleet: the shared record), the placed
// validation files, "issued" before the live link switches, and "installed" (with the validation
// files removed: one save, not two). Coalescing more must keep the crash tests green.
BOOST_AUTO_TEST_CASE(a_first_issuance_saves_state_at_most_five_times) {
    AgentEnv env;
    env.configure(env.defaultCert());
    // The store as the agent would make it, so the state directory can be watched from the start.
    for (const char* dir : {"", "/state"})
        BOOST_TEST_REQUIRE(::mkdir((env.store() + dir).c_str(), dir[0] ? 0700 : 0755) == 0);
    RenameCounter saves(env.store() + "/state", "shop.json");
    auto r = env.agent({"run", "--wait", "5m"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    BOOST_TEST_REQUIRE(env.state()["phase"] == "installed");
    const int count = saves.count();
    BOOST_TEST_MESSAGE("state saves in one issuance: " << count);
    BOOST_TEST(count >= 2); // at least the intent and the installed certificate
    BOOST_TEST(count <= 5);

    // An idle run afterwards writes no state at all.
    RenameCounter idle(env.store() + "/state", "shop.json");
    r = env.agent({"run"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.output);
    BOOST_TEST(idle.count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
