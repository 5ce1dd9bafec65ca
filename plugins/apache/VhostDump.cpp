#include "plugins/apache/VhostDump.h"

#include <Poco/String.h>

#include <regex>
#include <sstream>

namespace certagent::plugins::apache {

namespace {

constexpr size_t kMaxVhostLine = 2048;

std::string unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        s = s.substr(1, s.size() - 2);
    return s;
}

std::string afterColon(const std::string& line) {
    return unquote(Poco::trim(line.substr(line.find(':') + 1)));
}

/// "(FILE:LINE)" as dumped; a macro-made vhost names the macro and its Use line instead.
DumpedVhost vhostAt(const std::string& name, const std::string& place, const std::string& line) {
    static const std::regex kMacro(
        R"re(^macro '([^']*)' \(defined on line [0-9]+ of "(.*)"\) used on line ([0-9]{1,9}) of "(.*)"$)re");
    DumpedVhost v;
    v.name = name;
    std::smatch m;
    if (std::regex_match(place, m, kMacro)) {
        v.macro = m[1].str();
        v.where = {m[4].str(), std::stoi(m[3].str())};
    } else {
        v.where = {place, std::stoi(line)};
    }
    return v;
}

AddressChain chainFor(const std::string& address) {
    AddressChain chain;
    chain.address = address;
    size_t colon = address.rfind(':');
    std::string host = address.substr(0, colon);
    std::string port = address.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    chain.host = host;
    chain.port = port == "*" ? 0 : std::stoi(port);
    return chain;
}

/// One line of the DUMP_VHOSTS part ("default server" lines repeat the first namevhost; other
/// lines are not vhost lines and are skipped).
void readVhostLine(const std::string& line, ServerDump& dump) {
    static const std::string kAddress = R"((\*|[0-9.]+|\[[0-9A-Fa-f:.]+\]):(\*|[0-9]{1,5}))";
    static const std::regex kNamed("^" + kAddress + R"(\s+is a NameVirtualHost\s*$)");
    static const std::regex kSingle("^" + kAddress + R"(\s+(\S+) \((.*):([0-9]{1,9})\)\s*$)");
    static const std::regex kNameVhost(
        R"(^\s+port (\S+) namevhost (\S+) \((.*):([0-9]{1,9})\)\s*$)");
    static const std::regex kAlias(R"(^\s+(wild )?alias (\S+)\s*$)");
    // std::regex recurses per character: a line of a few thousand bytes overflows the stack
    // (~3.5 KB under the fuzz build's instrumentation). No line Apache prints for a sane
    // configuration comes near; longer ones are skipped like any other unknown line.
    if (line.size() > kMaxVhostLine)
        return;
    std::smatch m;
    if (std::regex_match(line, m, kNamed)) {
        dump.chains.push_back(chainFor(m[1].str() + ":" + m[2].str()));
    } else if (std::regex_match(line, m, kSingle)) {
        dump.chains.push_back(chainFor(m[1].str() + ":" + m[2].str()));
        dump.chains.back().vhosts.push_back(vhostAt(m[3].str(), m[4].str(), m[5].str()));
    } else if (std::regex_match(line, m, kNameVhost) && !dump.chains.empty()) {
        dump.chains.back().vhosts.push_back(vhostAt(m[2].str(), m[3].str(), m[4].str()));
    } else if (std::regex_match(line, m, kAlias) && !dump.chains.empty() &&
               !dump.chains.back().vhosts.empty()) {
        DumpedVhost& v = dump.chains.back().vhosts.back();
        (m[1].matched ? v.wildAliases : v.aliases).push_back(m[2].str());
    }
}

} // namespace

ServerDump parseDump(const std::string& output) {
    ServerDump dump;
    std::istringstream in(output);
    std::string line;
    bool modules = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("Loaded Modules:", 0) == 0) {
            modules = true;
        } else if (modules && line.size() > 1 && line[0] == ' ') {
            std::istringstream words(line);
            std::string id;
            words >> id;
            dump.modules.insert(id);
        } else if (line.rfind("ServerRoot:", 0) == 0) {
            dump.serverRoot = afterColon(line);
        } else if (line.rfind("Main DocumentRoot:", 0) == 0) {
            dump.mainDocumentRoot = afterColon(line);
        } else if (line.rfind("PidFile:", 0) == 0) {
            dump.pidFile = afterColon(line);
        } else if (line.rfind("Define:", 0) == 0) {
            std::string name = afterColon(line);
            dump.defines.insert(name.substr(0, name.find('=')));
        } else {
            readVhostLine(line, dump);
        }
    }
    for (const AddressChain& chain : dump.chains)
        for (const DumpedVhost& v : chain.vhosts)
            if (v.macro.empty())
                dump.vhosts.insert(v.where);
    if (!dump.pidFile.empty() && dump.pidFile[0] != '/' && !dump.serverRoot.empty())
        dump.pidFile = dump.serverRoot + "/" + dump.pidFile;
    return dump;
}

} // namespace certagent::plugins::apache
