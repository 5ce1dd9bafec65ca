#include "plugins/apache/ApacheConf.h"

#include "util/Error.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <glob.h>
#include <sys/stat.h>

namespace certagent::plugins::apache {

namespace {

constexpr int kMaxDepth = 16;
/// Deeper sections would overflow the stack of the recursive parser; real configurations nest a
/// few.
constexpr int kMaxSectionDepth = 100;

bool iequals(const std::string& a, const std::string& b) {
    return Poco::icompare(a, b) == 0;
}

/// ${VAR} substitution; unknown variables stay as written (apache -t already accepted them).
std::string substitute(const std::string& word, const ConfContext& context) {
    std::string out;
    for (size_t i = 0; i < word.size();) {
        size_t close = word.find('}', i);
        if (word.compare(i, 2, "${") == 0 && close != std::string::npos) {
            auto it = context.vars.find(word.substr(i + 2, close - i - 2));
            if (it != context.vars.end()) {
                out += it->second;
                i = close + 1;
                continue;
            }
        }
        out += word[i++];
    }
    return out;
}

struct LogicalLine {
    std::string text;
    int first = 0;
    int last = 0;
};

std::vector<LogicalLine> readLogicalLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError(path + ": cannot read");
    std::vector<LogicalLine> lines;
    std::string physical;
    LogicalLine current;
    int number = 0;
    bool continuing = false;
    while (std::getline(in, physical)) {
        ++number;
        if (!physical.empty() && physical.back() == '\r')
            physical.pop_back();
        if (!continuing)
            current = LogicalLine{"", number, number};
        current.last = number;
        continuing = !physical.empty() && physical.back() == '\\';
        if (continuing)
            physical.pop_back();
        current.text += physical;
        if (!continuing)
            lines.push_back(current);
    }
    if (continuing)
        lines.push_back(current);
    return lines;
}

std::vector<std::string> expandInclude(const std::string& pattern, const ConfContext& context) {
    std::string full = resolvePath(pattern, context);
    struct stat st;
    if (full.find_first_of("*?[") == std::string::npos && ::stat(full.c_str(), &st) == 0 &&
        S_ISDIR(st.st_mode))
        full += "/*";
    glob_t g{};
    std::vector<std::string> files;
    if (::glob(full.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i)
            if (::stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
                files.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    std::sort(files.begin(), files.end());
    return files;
}

struct Parser {
    const ConfContext& context;
    int depth;
    int sections = 0; ///< open sections around the line being parsed (this file)

    std::vector<ConfNode> parse(const std::string& path) {
        if (depth > kMaxDepth)
            throw ConfigError(path + ": Include nested deeper than 16 levels");
        std::vector<LogicalLine> lines = readLogicalLines(path);
        size_t pos = 0;
        std::vector<ConfNode> nodes = parseUntil(path, lines, pos, nullptr);
        return nodes;
    }

    std::vector<ConfNode> parseUntil(const std::string& path, const std::vector<LogicalLine>& lines,
                                     size_t& pos, ConfNode* open) {
        std::vector<ConfNode> nodes;
        while (pos < lines.size()) {
            const LogicalLine& line = lines[pos++];
            std::string text = Poco::trim(line.text);
            if (text.empty() || text[0] == '#')
                continue;
            if (text.compare(0, 2, "</") == 0) {
                std::string name = Poco::trim(text.substr(2, text.find('>') - 2));
                if (!open || !iequals(name, open->name))
                    throw ConfigError(path + ":" + std::to_string(line.first) + ": unexpected </" +
                                      name + ">");
                open->endLine = line.first;
                return nodes;
            }
            nodes.push_back(makeNode(path, line, text));
            ConfNode& node = nodes.back();
            if (node.section) {
                if (++sections > kMaxSectionDepth)
                    throw ConfigError(path + ":" + std::to_string(line.first) +
                                      ": sections nested deeper than " +
                                      std::to_string(kMaxSectionDepth));
                node.children = parseUntil(path, lines, pos, &node);
                --sections;
            } else if ((node.is("Include") || node.is("IncludeOptional")) && !node.args.empty() &&
                       context.followIncludes)
                node.children = includeFiles(node);
        }
        if (open)
            throw ConfigError(path + ":" + std::to_string(open->line) + ": <" + open->name +
                              "> is not closed");
        return nodes;
    }

    ConfNode makeNode(const std::string& path, const LogicalLine& line, std::string text) {
        ConfNode node;
        node.file = path;
        node.line = line.first;
        node.lastLine = line.last;
        if (text[0] == '<') {
            size_t close = text.rfind('>');
            if (close == std::string::npos)
                throw ConfigError(path + ":" + std::to_string(line.first) + ": section without >");
            text = text.substr(1, close - 1);
            node.section = true;
        }
        std::vector<std::string> words = splitWords(text);
        node.name = words.empty() ? "" : words[0];
        for (size_t i = 1; i < words.size(); ++i)
            node.args.push_back(substitute(words[i], context));
        return node;
    }

    std::vector<ConfNode> includeFiles(const ConfNode& include) {
        std::vector<ConfNode> all;
        Parser inner{context, depth + 1};
        for (const std::string& file : expandInclude(include.args[0], context)) {
            std::vector<ConfNode> nodes = inner.parse(file);
            all.insert(all.end(), std::make_move_iterator(nodes.begin()),
                       std::make_move_iterator(nodes.end()));
        }
        return all;
    }
};

std::string moduleId(std::string name) {
    // <IfModule> takes a module id ("ssl_module") or its source file ("mod_ssl.c").
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".c") == 0) {
        name.resize(name.size() - 2);
        if (name.compare(0, 4, "mod_") == 0)
            return name.substr(4) + "_module";
        if (name == "prefork" || name == "event" || name == "worker")
            return "mpm_" + name + "_module";
        if (name == "http_core")
            return "http_module";
        return name + "_module";
    }
    return name;
}

} // namespace

bool ConfNode::is(const char* directive) const {
    return iequals(name, directive);
}

std::vector<std::string> splitWords(const std::string& line) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        if (i >= line.size())
            break;
        std::string word;
        char quote = line[i];
        if (quote == '"' || quote == '\'') {
            ++i;
            while (i < line.size() && line[i] != quote) {
                if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == quote)
                    ++i; // like ap_getword_conf: only the quote character is escaped
                word += line[i++];
            }
            ++i; // closing quote (or end)
        } else {
            while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
                word += line[i++];
        }
        words.push_back(word);
    }
    return words;
}

std::string quoteArg(const std::string& arg) {
    // Every character splitWords splits at (isspace: also \r, \v, \f) needs the quotes.
    if (!arg.empty() && arg.find_first_of(" \t\r\n\v\f\"'\\#") == std::string::npos)
        return arg;
    std::string out = "\"";
    for (char c : arg) {
        if (c == '"')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::vector<ConfNode> parseConfFile(const std::string& path, const ConfContext& context) {
    Parser parser{context, 0};
    return parser.parse(path);
}

bool conditionHolds(const ConfNode& section, const ConfContext& context) {
    if (section.args.empty())
        return true;
    std::string arg = section.args[0];
    bool negate = !arg.empty() && arg[0] == '!';
    if (negate)
        arg = arg.substr(1);
    bool holds = true;
    if (section.is("IfModule"))
        holds = context.modules.count(moduleId(arg)) > 0;
    else if (section.is("IfDefine"))
        holds = context.defines.count(arg) > 0;
    else if (section.is("IfFile")) {
        struct stat st;
        holds = ::stat(resolvePath(arg, context).c_str(), &st) == 0;
    } else
        return true;
    return negate ? !holds : holds;
}

std::string resolvePath(const std::string& path, const ConfContext& context) {
    if (path.empty() || path[0] == '/' || context.serverRoot.empty())
        return path;
    return context.serverRoot + "/" + path;
}

} // namespace certagent::plugins::apache
