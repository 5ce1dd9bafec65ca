#include "api/WebserverType.h"

#include <Poco/String.h>

namespace certagent::api {

namespace {

struct BrandFamily {
    const char* name;
    int webserverType;
};

constexpr BrandFamily kFamilies[] = {
    {"comodo", kWebserverOtherSectigo},    {"sectigo", kWebserverOtherSectigo},
    {"gogetssl", kWebserverOtherSectigo},  {"ggssl", kWebserverOtherSectigo},
    {"geotrust", kWebserverOtherDigicert}, {"rapidssl", kWebserverOtherDigicert},
    {"digicert", kWebserverOtherDigicert}, {"thawte", kWebserverOtherDigicert},
    {"symantec", kWebserverOtherDigicert},
};

} // namespace

std::optional<int> webserverTypeForBrand(const std::string& brand) {
    const std::string lower = Poco::toLower(Poco::trim(brand));
    const std::string family = lower.substr(0, lower.find('_'));
    for (const BrandFamily& f : kFamilies) {
        if (family == f.name) {
            return f.webserverType;
        }
    }
    return std::nullopt;
}

} // namespace certagent::api
