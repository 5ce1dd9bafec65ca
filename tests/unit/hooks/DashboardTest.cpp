// conf/grafana/certagent.json only asks for what certagent exports: every query in the dashboard
// (panel targets and template variables) names at least one certagent metric, and each metric
// it names is a family formatMetrics writes (a renamed metric breaks this test, not the graphs).
#include "TestEnv.h"
#include "core/Metrics.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

using namespace certagent;
using namespace certagent::core;

namespace {

/// Every query text in `value`: "expr" of targets, "query"/"definition" of template variables.
void collectQueries(const Poco::Dynamic::Var& value, std::vector<std::string>& out) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        for (const auto& [key, member] : *object) {
            if ((key == "expr" || key == "query" || key == "definition") && member.isString()) {
                if (key != "query" || member.toString() != "prometheus") // the datasource kind
                    out.push_back(member.toString());
            } else {
                collectQueries(member, out);
            }
        }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>())
            collectQueries(item, out);
    }
}

/// The metric families formatMetrics writes for a fleet host with every value present.
std::set<std::string> exportedFamilies() {
    CertMetrics shop;
    shop.name = "shop";
    shop.notAfter = 1'800'000'000;
    shop.lastSuccess = 1'790'000'000;
    shop.lastFailure = 1'790'000'100;
    shop.orderState = "validating";
    shop.clusterBehind = false;
    shop.orderHolder = "web-01";
    const std::string text = formatMetrics({shop}, 1'799'000'000, true);
    std::set<std::string> out;
    const std::regex type("^# TYPE (\\S+) gauge$");
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_match(line, m, type))
            out.insert(m[1]);
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(DashboardTest)

BOOST_AUTO_TEST_CASE(every_query_names_only_metrics_certagent_exports) {
    const std::string path = test::envPath("CERTAGENT_SOURCE_DIR") + "/conf/grafana/certagent.json";
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var dashboard = parser.parse(test::readFile(path));
    std::vector<std::string> queries;
    collectQueries(dashboard, queries);
    BOOST_TEST_REQUIRE(queries.size() >= 10u);

    const std::set<std::string> exported = exportedFamilies();
    BOOST_TEST_REQUIRE(exported.count("certagent_cert_cluster_behind") == 1u);
    const std::regex metric("certagent_[a-z_]+");
    std::set<std::string> used;
    for (const std::string& query : queries) {
        auto begin = std::sregex_iterator(query.begin(), query.end(), metric);
        BOOST_TEST((begin != std::sregex_iterator()), "no certagent metric in: " << query);
        for (auto it = begin; it != std::sregex_iterator(); ++it) {
            BOOST_TEST(exported.count(it->str()) == 1u, it->str() << " in: " << query);
            used.insert(it->str());
        }
    }
    // The views the dashboard exists for: days left, exit code per host, hosts converged.
    for (const char* needed : {"certagent_cert_seconds_left", "certagent_cert_last_exit_code",
                               "certagent_cert_cluster_behind", "certagent_cluster_up"})
        BOOST_TEST(used.count(needed) == 1u, needed);
}

BOOST_AUTO_TEST_SUITE_END()
