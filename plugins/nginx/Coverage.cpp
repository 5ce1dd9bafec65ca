#include "plugins/nginx/Coverage.h"

#include "plugins/nginx/ServerBlocks.h"

#include <Poco/String.h>

#include <algorithm>

namespace certagent::plugins::nginx {

namespace {

class Domains {
  public:
    explicit Domains(const std::vector<std::string>& domains) {
        for (const std::string& d : domains)
            m_names.push_back(Poco::toLower(d));
    }
    bool lists(const std::string& name) const {
        return std::find(m_names.begin(), m_names.end(), name) != m_names.end();
    }
    /// The certificate is valid for this concrete host name.
    bool validFor(const std::string& host) const {
        size_t dot = host.find('.');
        return lists(host) ||
               (dot != std::string::npos && dot > 0 && lists("*" + host.substr(dot)));
    }

  private:
    std::vector<std::string> m_names;
};

} // namespace

std::vector<std::string> uncoveredNames(const std::vector<std::string>& serverNames,
                                        const std::vector<std::string>& domains) {
    const Domains cert(domains);
    std::vector<std::string> out;
    for (const std::string& name : serverNames) {
        if (isPlaceholderName(name))
            continue;
        if (name[0] == '~') {
            out.push_back(name + " (a regular expression)");
        } else if (name.size() > 2 && name.compare(name.size() - 2, 2, ".*") == 0) {
            out.push_back(name + " (a trailing wildcard)");
        } else if (name.rfind("*.", 0) == 0) {
            if (!cert.lists(name))
                out.push_back(name);
        } else if (name[0] == '.') {
            if (!cert.validFor(name.substr(1)) || !cert.lists("*" + name))
                out.push_back(name);
        } else if (!cert.validFor(name)) {
            out.push_back(name);
        }
    }
    return out;
}

} // namespace certagent::plugins::nginx
