#include "plugins/nginx/ConfigFiles.h"

#include "util/Error.h"

#include <algorithm>
#include <sstream>

namespace certagent::plugins::nginx {

namespace {

std::string lineIndent(const std::string& text, size_t offset) {
    size_t lineStart = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    lineStart = lineStart == std::string::npos || offset == 0 ? 0 : lineStart + 1;
    size_t end = lineStart;
    while (end < text.size() && (text[end] == ' ' || text[end] == '\t'))
        ++end;
    return text.substr(lineStart, end - lineStart);
}

std::string pairLines(const std::string& certPath, const std::string& keyPath) {
    return "ssl_certificate " + quoteValue(certPath) + ";\nssl_certificate_key " +
           quoteValue(keyPath) + ";\n";
}

/// Inserts `lines` after offset `pos` of `file`: on the following lines with `indent` when only
/// blanks or a comment follow `pos` on its line, else on the same line.
Edit insertAfter(const std::string& file, const std::string& text, size_t pos,
                 const std::string& indent, const std::string& lines) {
    size_t eol = text.find('\n', pos);
    size_t rest = text.find_first_not_of(" \t\r", pos);
    bool endsLine = eol != std::string::npos && (rest == eol || text[rest] == '#');
    if (!endsLine) {
        std::string sameLine = " " + lines;
        std::replace(sameLine.begin(), sameLine.end(), '\n', ' ');
        return Edit{file, pos, pos, sameLine.substr(0, sameLine.size() - 1)};
    }
    std::string nl = eol > 0 && text[eol - 1] == '\r' ? "\r\n" : "\n";
    std::string out;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line, '\n');)
        out += indent + line + nl;
    return Edit{file, eol + 1, eol + 1, out};
}

/// The edit for one directive; none when it already holds `value`.
void repoint(const Directive& d, const std::string& value, std::vector<Edit>& edits) {
    if (d.args.size() != 1)
        throw ConfigError(d.where() + ": " + d.name + " must have exactly one argument");
    if (d.args[0].value == value)
        return;
    if (d.args[0].value.find('$') != std::string::npos)
        throw ConfigError(d.where() + ": " + d.name + " uses variables; set it by hand to " +
                          value);
    edits.push_back(Edit{d.file, d.args[0].begin, d.args[0].end, quoteValue(value)});
}

} // namespace

std::vector<Edit> repointPair(const CertPair& pair, const std::string& certPath,
                              const std::string& keyPath) {
    std::vector<Edit> edits;
    repoint(*pair.certificate, certPath, edits);
    repoint(*pair.key, keyPath, edits);
    return edits;
}

Edit insertPairInBlock(const ServerBlock& block, const DumpFiles& files,
                       const std::string& certPath, const std::string& keyPath) {
    const Directive& server = *block.node;
    const std::string& text = files.contents.at(server.file);
    size_t eol = text.find('\n', server.openBrace);
    std::string indent = lineIndent(text, server.begin) + "    ";
    for (const Directive& child : server.children)
        if (child.file == server.file && child.begin > eol) {
            indent = lineIndent(text, child.begin);
            break;
        }
    return insertAfter(server.file, text, server.openBrace + 1, indent,
                       pairLines(certPath, keyPath));
}

Edit insertPairAfterInclude(const Directive& fromInclude, const DumpFiles& files,
                            const std::string& certPath, const std::string& keyPath) {
    const std::string& text = files.contents.at(fromInclude.includeFile);
    return insertAfter(fromInclude.includeFile, text, fromInclude.includeEnd,
                       lineIndent(text, fromInclude.includeEnd), pairLines(certPath, keyPath));
}

std::string applyEdits(const std::string& text, std::vector<Edit> edits) {
    std::sort(edits.begin(), edits.end(),
              [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    std::string out = text;
    size_t limit = text.size();
    for (const Edit& e : edits) {
        if (e.end > limit || e.begin > e.end)
            throw ConfigError(e.file + ": overlapping edits at offset " + std::to_string(e.begin));
        out.replace(e.begin, e.end - e.begin, e.text);
        limit = e.begin;
    }
    return out;
}

} // namespace certagent::plugins::nginx
