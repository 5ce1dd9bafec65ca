#include "core/Renewal.h"

#include <algorithm>
#include <set>

namespace certagent::core {

namespace {

std::string joinSet(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s)
        out += (out.empty() ? "" : " ") + x;
    return out;
}

std::set<std::string> lowerSet(const std::vector<std::string>& names) {
    std::set<std::string> out;
    for (auto n : names) {
        std::transform(n.begin(), n.end(), n.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        out.insert(n);
    }
    return out;
}

} // namespace

std::string formatRemaining(long long seconds) {
    std::string sign = seconds < 0 ? "-" : "";
    long long s = seconds < 0 ? -seconds : seconds;
    long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
    if (d > 0)
        return sign + std::to_string(d) + "d " + std::to_string(h) + "h";
    if (h > 0)
        return sign + std::to_string(h) + "h " + std::to_string(m) + "m";
    if (m > 0)
        return sign + std::to_string(m) + "m";
    return sign + std::to_string(s) + "s";
}

RenewalDecision decideRenewal(const RenewalInput& in) {
    RenewalDecision d;
    if (!in.live) {
        d.due = true;
        d.reason = "no live certificate";
        return d;
    }
    const LiveInfo& live = *in.live;
    long long lifetime = std::max<long long>(0, live.notAfter - live.notBefore);
    d.renewAt = live.notAfter - in.before.forLifetime(Seconds(lifetime)).count();
    if (!live.filesOk && !live.expired) {
        d.due = true;
        d.reason = "live files fail verification: " + live.failure;
        return d;
    }
    auto configured = lowerSet(in.configuredNames);
    auto actual = lowerSet(live.names);
    if (configured != actual) {
        d.due = true;
        d.reason = "names changed: configured {" + joinSet(configured) + "}, certificate {" +
                   joinSet(actual) + "}";
        return d;
    }
    if (!live.keyType.empty() && !in.configuredKeyType.empty() &&
        live.keyType != in.configuredKeyType) {
        d.due = true;
        d.reason = "key type changed: " + live.keyType + " -> " + in.configuredKeyType;
        return d;
    }
    if (live.expired || in.now >= d.renewAt) {
        d.expiryBased = true;
        d.reason = "expires in " + formatRemaining(live.notAfter - in.now) + " (renew " +
                   in.before.text() + " before)";
        d.due = true;
        return d;
    }
    if (in.caSuggestsAt && *in.caSuggestsAt < d.renewAt) {
        d.renewAt = *in.caSuggestsAt;
        if (in.now >= d.renewAt) {
            d.due = true;
            d.reason = "the CA suggests renewal now (ARI); expires in " +
                       formatRemaining(live.notAfter - in.now);
            return d;
        }
    }
    d.reason = "valid for " + formatRemaining(live.notAfter - in.now) + ", renewal in " +
               formatRemaining(d.renewAt - in.now);
    return d;
}

} // namespace certagent::core
