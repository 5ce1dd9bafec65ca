#include "plugins/apache/Envvars.h"

#include "util/Error.h"

#include <Poco/String.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::plugins::apache {

namespace {

using Vars = std::map<std::string, std::string>;

/// Shell word → value: quotes removed, $NAME/${NAME} expanded (not inside '...').
std::string expand(const std::string& word, const Vars& vars) {
    static const std::regex kRef(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)");
    std::string out;
    char quote = 0;
    for (size_t i = 0; i < word.size(); ++i) {
        char c = word[i];
        if ((c == '"' || c == '\'') && (quote == 0 || quote == c)) {
            quote = quote ? 0 : c;
            continue;
        }
        std::smatch m;
        std::string rest = word.substr(i);
        if (c == '$' && quote != '\'' &&
            std::regex_search(rest, m, kRef, std::regex_constants::match_continuous)) {
            auto found = vars.find(m[1].str());
            out += found == vars.end() ? "" : found->second;
            i += static_cast<size_t>(m.length(0)) - 1;
            continue;
        }
        out += c;
    }
    return out;
}

/// The first shell word of `text` as written (quotes kept): up to unquoted whitespace.
std::string firstWord(const std::string& text) {
    char quote = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if ((c == '"' || c == '\'') && (quote == 0 || quote == c))
            quote = quote ? 0 : c;
        else if (quote == 0 && (c == ' ' || c == '\t'))
            break;
    }
    return text.substr(0, i);
}

bool passedOn(const std::string& name) {
    return name.rfind("APACHE_", 0) == 0 || name == "LANG" || name.rfind("LC_", 0) == 0;
}

void checkOwner(const std::string& path, const struct stat& st) {
    if ((st.st_uid != 0 && st.st_uid != ::geteuid()) || (st.st_mode & 022) != 0) {
        std::ostringstream mode;
        mode << std::oct << (st.st_mode & 07777);
        throw ConfigError("apache: " + path + " (owner uid " + std::to_string(st.st_uid) +
                          ", mode 0" + mode.str() +
                          ") may be changed by other users, and certagent reads it as root: "
                          "make it root's and not group- or world-writable");
    }
}

std::vector<std::string> definesIn(const std::string& arguments) {
    std::istringstream words(arguments);
    std::vector<std::string> out;
    std::string word;
    while (words >> word) {
        if (word == "-D" && words >> word)
            out.push_back(word);
        else if (word.rfind("-D", 0) == 0 && word.size() > 2)
            out.push_back(word.substr(2));
    }
    return out;
}

} // namespace

std::string instanceSuffix(const std::string& configDir) {
    std::string base = configDir.substr(configDir.rfind('/') + 1);
    return base.rfind("apache2-", 0) == 0 && base.size() > 8 ? "-" + base.substr(8) : "";
}

Envvars readEnvvars(const std::string& configDir) {
    Envvars out;
    std::string path = configDir + "/envvars";
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return out;
    checkOwner(path, st);
    std::ifstream in(path);
    if (!in)
        throw ConfigError("apache: cannot read " + path);
    out.present = true;
    Vars vars{{"APACHE_CONFDIR", configDir}, {"SUFFIX", instanceSuffix(configDir)}};
    std::set<std::string> exported{"APACHE_CONFDIR"};
    static const std::regex kAssign(R"(^(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$)");
    static const std::regex kExport(R"(^export\s+([A-Za-z_][A-Za-z0-9_]*)$)");
    static const std::regex kUnset(R"(^unset\s+([A-Za-z_][A-Za-z0-9_]*)$)");
    static const std::regex kOpen(R"(^(if|case|while|for|until)\s.*)");
    static const std::regex kClose(R"(^(fi|esac|done)\b.*)");
    int depth = 0; // inside if/case/loops nothing is taken: their conditions are not evaluated
    std::string line;
    while (std::getline(in, line)) {
        line = Poco::trim(line);
        std::smatch m;
        if (std::regex_match(line, kOpen))
            ++depth;
        else if (std::regex_match(line, kClose))
            depth = depth > 0 ? depth - 1 : 0;
        else if (depth > 0)
            continue;
        else if (std::regex_match(line, m, kAssign)) {
            std::string word = firstWord(m[3].str());
            if (word.find('`') != std::string::npos || word.find("$(") != std::string::npos)
                continue; // a command substitution: not evaluated
            vars[m[2].str()] = expand(word, vars);
            if (m[1].matched)
                exported.insert(m[2].str());
        } else if (std::regex_match(line, m, kExport)) {
            exported.insert(m[1].str());
        } else if (std::regex_match(line, m, kUnset)) {
            vars.erase(m[1].str());
            exported.erase(m[1].str());
        }
    }
    for (const std::string& name : exported)
        if (passedOn(name) && vars.count(name))
            out.env[name] = vars[name];
    if (vars.count("APACHE_ARGUMENTS"))
        out.defines = definesIn(vars["APACHE_ARGUMENTS"]);
    return out;
}

} // namespace certagent::plugins::apache
