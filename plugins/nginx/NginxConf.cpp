#include "plugins/nginx/NginxConf.h"

#include "util/Error.h"

#include <fnmatch.h>

namespace certagent::plugins::nginx {

namespace {

const std::string kHeader = "# configuration file ";
constexpr int kMaxIncludeDepth = 32;
/// Deeper blocks would overflow the stack of the recursive parser; real configurations nest a few.
constexpr int kMaxBlockDepth = 100;

bool isSpace(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/// One statement: its words and what ended it (';', '{', '}', or 0 at end of file).
struct Statement {
    std::vector<Arg> words;
    size_t line = 0;
    char terminator = 0;
    size_t terminatorPos = 0;
};

std::string unescape(const std::string& raw) {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
            char next = raw[i + 1];
            if (next == '"' || next == '\'' || next == '\\') {
                out += next;
                ++i;
                continue;
            }
            const char* controls = next == 't'   ? "\t"
                                   : next == 'r' ? "\r"
                                   : next == 'n' ? "\n"
                                                 : nullptr;
            if (controls) {
                out += controls;
                ++i;
                continue;
            }
        }
        out += raw[i];
    }
    return out;
}

/// nginx's ngx_conf_read_token, reading from a string and keeping offsets.
class Lexer {
  public:
    Lexer(const std::string& text, const std::string& file) : m_text(text), m_file(file) {}

    Statement next();
    [[noreturn]] void fail(const std::string& what) const {
        throw ConfigError(m_file + ":" + std::to_string(m_line) + ": " + what);
    }

  private:
    bool startWord(char ch, Statement& st);
    bool continueWord(char ch, Statement& st);

    const std::string& m_text;
    const std::string& m_file;
    size_t m_pos = 0;
    size_t m_line = 1;
    bool m_inWord = false, m_dquoted = false, m_squoted = false, m_needSpace = false;
    bool m_variable = false, m_escaped = false, m_comment = false;
    size_t m_start = 0;
    size_t m_wordLine = 0;
};

Statement Lexer::next() {
    Statement st;
    m_inWord = m_dquoted = m_squoted = m_needSpace = m_variable = m_escaped = m_comment = false;
    for (;;) {
        if (m_pos >= m_text.size()) {
            if (!st.words.empty() || m_inWord)
                fail("unexpected end of file, expecting \";\" or \"}\"");
            return st;
        }
        char ch = m_text[m_pos++];
        if (ch == '\n') {
            ++m_line;
            m_comment = false;
        }
        if (m_comment)
            continue;
        if (m_escaped) {
            m_escaped = false;
            continue;
        }
        if (m_needSpace) {
            if (isSpace(ch)) {
                m_inWord = m_needSpace = false;
                continue;
            }
            if (ch == ';' || ch == '{') {
                st.terminator = ch;
                st.terminatorPos = m_pos - 1;
                return st;
            }
            if (ch != ')')
                fail(std::string("unexpected \"") + ch + "\"");
            m_inWord = m_needSpace = false;
        }
        bool done = m_inWord ? continueWord(ch, st) : startWord(ch, st);
        if (done)
            return st;
    }
}

bool Lexer::startWord(char ch, Statement& st) {
    m_start = m_pos - 1;
    m_wordLine = m_line;
    if (isSpace(ch))
        return false;
    if (st.words.empty())
        st.line = m_line;
    switch (ch) {
    case ';':
    case '{':
        if (st.words.empty())
            fail(std::string("unexpected \"") + ch + "\"");
        st.terminator = ch;
        st.terminatorPos = m_pos - 1;
        return true;
    case '}':
        if (!st.words.empty())
            fail("unexpected \"}\"");
        st.terminator = '}';
        st.terminatorPos = m_pos - 1;
        return true;
    case '#':
        m_comment = true;
        return false;
    case '\\':
        m_escaped = true;
        break;
    case '"':
        ++m_start;
        m_dquoted = true;
        break;
    case '\'':
        ++m_start;
        m_squoted = true;
        break;
    case '$':
        m_variable = true;
        break;
    default:
        break;
    }
    m_inWord = true;
    return false;
}

bool Lexer::continueWord(char ch, Statement& st) {
    if (ch == '{' && m_variable)
        return false;
    m_variable = false;
    if (ch == '\\') {
        m_escaped = true;
        return false;
    }
    if (ch == '$') {
        m_variable = true;
        return false;
    }
    bool found = false;
    bool quoted = m_dquoted || m_squoted;
    if (m_dquoted || m_squoted) {
        if (ch == (m_dquoted ? '"' : '\'')) {
            m_dquoted = m_squoted = false;
            m_needSpace = true;
            found = true;
        }
    } else if (isSpace(ch) || ch == ';' || ch == '{') {
        m_inWord = false;
        found = true;
    }
    if (!found)
        return false;
    Arg arg;
    arg.value = unescape(m_text.substr(m_start, m_pos - 1 - m_start));
    arg.quoted = quoted;
    arg.begin = quoted ? m_start - 1 : m_start;
    arg.end = quoted ? m_pos : m_pos - 1;
    if (st.words.empty())
        st.line = m_wordLine;
    st.words.push_back(std::move(arg));
    if (ch == ';' || ch == '{') {
        st.terminator = ch;
        st.terminatorPos = m_pos - 1;
        return true;
    }
    return false;
}

/// Reads statements until the matching '}' (depth > 0) or end of file; returns the '}' offset.
size_t parseBlock(Lexer& lexer, const std::string& file, int depth, std::vector<Directive>& out) {
    for (;;) {
        Statement st = lexer.next();
        if (st.terminator == 0) {
            if (depth > 0)
                lexer.fail("unexpected end of file, expecting \"}\"");
            return 0;
        }
        if (st.terminator == '}') {
            if (depth == 0)
                lexer.fail("unexpected \"}\"");
            return st.terminatorPos;
        }
        Directive d;
        d.name = st.words.front().value;
        d.begin = st.words.front().begin;
        d.line = st.line;
        d.file = file;
        d.args.assign(st.words.begin() + 1, st.words.end());
        if (st.terminator == ';') {
            d.end = st.terminatorPos + 1;
        } else {
            if (depth >= kMaxBlockDepth)
                lexer.fail("blocks nested deeper than " + std::to_string(kMaxBlockDepth));
            d.isBlock = true;
            d.openBrace = st.terminatorPos;
            d.end = parseBlock(lexer, file, depth + 1, d.children) + 1;
        }
        out.push_back(std::move(d));
    }
}

std::string dirOf(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

class IncludeExpander {
  public:
    explicit IncludeExpander(Config& config) : m_config(config) {}

    std::vector<Directive> expand(const std::vector<Directive>& in, const std::string& context,
                                  int depth);

  private:
    std::vector<std::string> resolve(const Directive& include);
    const std::vector<Directive>& parsed(const std::string& path);

    Config& m_config;
    std::map<std::string, std::vector<Directive>> m_parsed;
};

const std::vector<Directive>& IncludeExpander::parsed(const std::string& path) {
    auto it = m_parsed.find(path);
    if (it == m_parsed.end())
        it = m_parsed.emplace(path, parseText(m_config.files.contents.at(path), path)).first;
    return it->second;
}

std::vector<std::string> IncludeExpander::resolve(const Directive& include) {
    if (include.args.size() != 1)
        throw ConfigError(include.where() + ": include takes one argument");
    std::string pattern = include.args[0].value;
    if (pattern.empty() || pattern[0] != '/')
        pattern = dirOf(m_config.mainFile) + pattern;
    m_config.includePatterns.push_back(pattern);
    std::vector<std::string> matched;
    if (pattern.find_first_of("*?[") == std::string::npos) {
        if (!m_config.files.contents.count(pattern))
            throw ConfigError(include.where() + ": included file " + pattern +
                              " is missing from nginx -T output");
        matched.push_back(pattern);
        return matched;
    }
    for (const auto& [path, text] : m_config.files.contents)
        if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0)
            matched.push_back(path);
    return matched;
}

std::vector<Directive> IncludeExpander::expand(const std::vector<Directive>& in,
                                               const std::string& context, int depth) {
    if (depth > kMaxIncludeDepth)
        throw ConfigError("nginx configuration: includes nested deeper than 32");
    std::vector<Directive> out;
    for (const Directive& d : in) {
        if (d.name == "include" && !d.isBlock) {
            for (const std::string& path : resolve(d)) {
                std::vector<Directive> sub = expand(parsed(path), context, depth + 1);
                for (Directive& s : sub) {
                    s.includeFile = d.file; // the outermost include wins: set last
                    s.includeEnd = d.end;
                    out.push_back(std::move(s));
                }
            }
            continue;
        }
        Directive copy = d;
        copy.context = context;
        if (d.isBlock)
            copy.children =
                expand(d.children, context.empty() ? d.name : context + "/" + d.name, depth);
        out.push_back(std::move(copy));
    }
    return out;
}

} // namespace

std::vector<Directive> parseText(const std::string& text, const std::string& file) {
    Lexer lexer(text, file);
    std::vector<Directive> out;
    parseBlock(lexer, file, 0, out);
    return out;
}

DumpFiles splitDump(const std::string& dump, const FileReader& reader) {
    DumpFiles files;
    size_t pos = dump.compare(0, kHeader.size(), kHeader) == 0 ? 0 : dump.find("\n" + kHeader);
    if (pos == std::string::npos)
        throw ConfigError("nginx -T printed no configuration files");
    if (pos != 0)
        ++pos;
    while (pos < dump.size()) {
        if (dump.compare(pos, kHeader.size(), kHeader) != 0)
            throw ConfigError("nginx -T output: unexpected text at offset " + std::to_string(pos));
        size_t eol = dump.find('\n', pos);
        if (eol == std::string::npos || eol == pos + kHeader.size() || dump[eol - 1] != ':')
            throw ConfigError("nginx -T output: malformed file header");
        std::string path = dump.substr(pos + kHeader.size(), eol - 1 - pos - kHeader.size());
        size_t start = eol + 1;
        std::optional<std::string> disk = reader ? reader(path) : std::nullopt;
        std::string content;
        if (disk) {
            if (dump.compare(start, disk->size(), *disk) != 0 ||
                start + disk->size() >= dump.size() || dump[start + disk->size()] != '\n')
                throw TemporaryError(path + " changed while nginx -T read it; try again");
            content = *disk;
            pos = start + disk->size() + 1;
        } else {
            size_t nextHeader = dump.find("\n" + kHeader, start == 0 ? 0 : start - 1);
            while (nextHeader != std::string::npos && nextHeader + 1 < start)
                nextHeader = dump.find("\n" + kHeader, nextHeader + 1);
            size_t stop = nextHeader == std::string::npos ? dump.size() : nextHeader;
            content = dump.substr(start, stop > start ? stop - start : 0);
            if (nextHeader == std::string::npos && !content.empty() && content.back() == '\n')
                content.pop_back();
            pos = nextHeader == std::string::npos ? dump.size() : nextHeader + 1;
        }
        if (files.contents.emplace(path, content).second)
            files.order.push_back(path);
    }
    return files;
}

Config buildConfig(const DumpFiles& files) {
    if (files.order.empty())
        throw ConfigError("nginx -T printed no configuration files");
    Config config;
    config.files = files;
    config.mainFile = files.order.front();
    IncludeExpander expander(config);
    config.root =
        expander.expand(parseText(files.contents.at(config.mainFile), config.mainFile), "", 0);
    return config;
}

std::string quoteValue(const std::string& value) {
    if (value.find_first_of(std::string("$\n\r\0", 4)) != std::string::npos)
        throw ConfigError("path \"" + value + "\" cannot be written into an nginx configuration");
    if (!value.empty() && value.find_first_of(" \t;{}#\"'\\") == std::string::npos)
        return value;
    std::string out = "\"";
    for (char ch : value) {
        if (ch == '"' || ch == '\\')
            out += '\\';
        out += ch;
    }
    return out + "\"";
}

} // namespace certagent::plugins::nginx
