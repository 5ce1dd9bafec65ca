// After a reload nginx keeps the old workers accepting for a moment (the master starts the new
// generation, sleeps 100 ms, then asks the old one to quit): "served" must mean that no worker of
// the old generation can take a new connection any more, not that one handshake saw the new leaf.
#include "NginxFixture.h"
#include "crypto/TlsProbe.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <thread>

using namespace certagent;
using namespace certagent::test;

namespace {

/// Holds the nginx master stopped for a while right after it started the new workers, so both
/// generations accept for ~0.7 s instead of ~100 ms: the moment a loaded host stretches. Resumes it
/// from its own thread (deploy() may be waiting for the old generation meanwhile).
class SlowRetirement {
  public:
    explicit SlowRetirement(NginxSite& site) : m_site(site) {
        site.runner.before(
            "reload", [this] { m_logSize = m_site.nginx.errorLog().size(); }, true);
        site.runner.after(
            "reload", [this] { hold(); }, true);
    }
    ~SlowRetirement() { join(); }
    void join() {
        if (m_resume.joinable())
            m_resume.join();
    }

  private:
    void hold() {
        join();
        m_site.nginx.waitWorkerStarted(m_logSize);
        int master = m_site.nginx.pid();
        ::kill(master, SIGSTOP);
        m_resume = std::thread([master] {
            std::this_thread::sleep_for(std::chrono::milliseconds(700));
            ::kill(master, SIGCONT);
        });
    }

    NginxSite& m_site;
    size_t m_logSize = 0;
    std::thread m_resume;
};

/// Handshakes in a loop from a thread until destroyed.
class Traffic {
  public:
    explicit Traffic(NginxSite& site)
        : m_thread([this, &site] {
              while (!m_done)
                  site.served();
          }) {}
    ~Traffic() {
        m_done = true;
        m_thread.join();
    }

  private:
    std::atomic<bool> m_done{false};
    std::thread m_thread;
};

} // namespace

BOOST_AUTO_TEST_SUITE(NginxReload)

BOOST_AUTO_TEST_CASE(no_connection_after_deploy_returns_sees_the_old_leaf) {
    NginxSite site;
    // Traffic keeps workers busy, so a new worker can take the installer's probe while an idle old
    // one would still take the next connection.
    Traffic traffic(site);
    std::string previous = site.placeholderSha;
    int stale = 0;
    std::string report;
    {
        SlowRetirement slow(site);
        for (int n = 1; n <= 5; ++n) {
            std::string sha = site.writeVersion(n);
            site.switchLive(n);
            auto installer = site.installer();
            installer->discover(site.target());
            core::DeployOutcome out = site.deploy(*installer, sha, previous, n - 1);
            BOOST_REQUIRE_MESSAGE(out.exitCode == 0, out.error);
            // fresh connections right after deploy() returned, as a deploy hook makes them
            for (int i = 0; i < 15; ++i) {
                std::string served = site.served(i % 2 ? "www.example.test" : "example.test");
                if (served != sha) {
                    ++stale;
                    report += " cycle " + std::to_string(n) + " connection " + std::to_string(i) +
                              (served == previous ? ": old leaf;" : ": " + served + ";");
                }
            }
            slow.join();
            previous = sha;
        }
    }
    BOOST_CHECK_MESSAGE(stale == 0, stale << " stale handshakes after deploy returned:" << report);
}

BOOST_AUTO_TEST_SUITE_END()
