#include "core/Metrics.h"

#include "TestEnv.h"
#include "util/Error.h"

#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <sys/stat.h>

using namespace certagent;
using namespace certagent::core;
using certagent::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

std::vector<CertMetrics> sample() {
    CertMetrics shop;
    shop.name = "shop";
    shop.notAfter = 1'800'000'000;
    shop.lastSuccess = 1'790'000'000;
    shop.orderState = "installed";
    CertMetrics odd;
    odd.name = "we\"ird\\name\nx";
    odd.lastFailure = 1'790'000'100;
    odd.orderState = "validating";
    odd.lastExit = 3;
    return {shop, odd};
}

} // namespace

BOOST_AUTO_TEST_SUITE(MetricsTest)

BOOST_AUTO_TEST_CASE(prometheus_text_format) {
    std::string text = formatMetrics(sample(), 1'799'000'000);
    BOOST_TEST_INFO(text);
    BOOST_TEST(contains(text, "# HELP certagent_cert_not_after_seconds "));
    BOOST_TEST(contains(text, "# TYPE certagent_cert_not_after_seconds gauge\n"));
    BOOST_TEST(contains(text, "certagent_cert_not_after_seconds{name=\"shop\"} 1800000000\n"));
    BOOST_TEST(contains(text, "certagent_cert_seconds_left{name=\"shop\"} 1000000\n"));
    BOOST_TEST(contains(text, "certagent_cert_last_success_seconds{name=\"shop\"} 1790000000\n"));
    BOOST_TEST(contains(text, "certagent_cert_order_state{name=\"shop\",state=\"installed\"} 1\n"));
    BOOST_TEST(contains(text, "certagent_cert_order_state{name=\"shop\",state=\"idle\"} 0\n"));
    BOOST_TEST(contains(text, "certagent_last_run_seconds 1799000000\n"));
    // Label values are escaped: backslash, quote, newline.
    const std::string odd = "{name=\"we\\\"ird\\\\name\\nx\"}";
    BOOST_TEST(contains(text, "certagent_cert_last_failure_seconds" + odd + " 1790000100\n"));
    BOOST_TEST(contains(text, "certagent_cert_last_exit_code" + odd + " 3\n"));
    // Absent values are omitted, not written as 0.
    BOOST_TEST(!contains(text, "certagent_cert_not_after_seconds" + odd));
    BOOST_TEST(!contains(text, "certagent_cert_last_failure_seconds{name=\"shop\"}"));
    // Every sample line is "metric{labels} value" and every metric has HELP and TYPE.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# ", 0) == 0)
            continue;
        std::string metric = line.substr(0, line.find_first_of("{ "));
        BOOST_TEST(contains(text, "# TYPE " + metric + " gauge\n"));
    }
}

BOOST_AUTO_TEST_CASE(written_atomically_with_mode_0644) {
    TempDir tmp;
    std::string path = tmp / "certagent.prom";
    writeMetrics(path, sample(), 1'799'000'000);
    writeMetrics(path, sample(), 1'799'000'001);
    BOOST_TEST(contains(test::readFile(path), "certagent_last_run_seconds 1799000001\n"));
    struct stat st;
    BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
    BOOST_TEST((st.st_mode & 07777) == 0644u);
    // No temp files left next to it.
    int entries = 0;
    DIR* dir = ::opendir(tmp.path().c_str());
    while (struct dirent* e = ::readdir(dir))
        entries += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
    ::closedir(dir);
    BOOST_TEST(entries == 1);
    writeMetrics("", sample()); // disabled: nothing happens
    BOOST_CHECK_THROW(writeMetrics(tmp / "missing/dir/x.prom", sample()), IoError);
}

BOOST_AUTO_TEST_SUITE_END()
