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

/// Insertion of the missing directives right after `server {`.
Edit insertAfterBrace(const ServerBlock& block, const std::string& text, const std::string& lines) {
    const Directive& server = *block.node;
    size_t pos = server.openBrace + 1;
    size_t eol = text.find('\n', pos);
    size_t rest = text.find_first_not_of(" \t\r", pos);
    bool braceEndsLine = eol != std::string::npos && (rest == eol || text[rest] == '#');
    if (!braceEndsLine) {
        std::string sameLine = " " + lines;
        std::replace(sameLine.begin(), sameLine.end(), '\n', ' ');
        return Edit{server.file, pos, pos, sameLine.substr(0, sameLine.size() - 1)};
    }
    std::string nl = eol > 0 && text[eol - 1] == '\r' ? "\r\n" : "\n";
    std::string indent = lineIndent(text, server.begin) + "    ";
    for (const Directive& child : server.children)
        if (child.file == server.file && child.begin > eol) {
            indent = lineIndent(text, child.begin);
            break;
        }
    std::string out;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line, '\n');)
        out += indent + line + nl;
    return Edit{server.file, eol + 1, eol + 1, out};
}

/// The edit for one directive kind; appends to `missing` when the block lacks it.
void planDirective(const std::vector<const Directive*>& found, const std::string& name,
                   const std::string& value, const ServerBlock& block, std::vector<Edit>& edits,
                   std::string& missing) {
    if (found.size() > 1)
        throw ConfigError(found[1]->where() + ": several " + name +
                          " directives in the server block at " + block.node->where() +
                          " are not supported; keep one");
    std::string quoted = quoteValue(value);
    if (found.empty()) {
        missing += name + " " + quoted + ";\n";
        return;
    }
    const Directive& d = *found.front();
    if (d.args.size() != 1)
        throw ConfigError(d.where() + ": " + name + " must have exactly one argument");
    if (d.args[0].value == value)
        return;
    if (d.args[0].value.find('$') != std::string::npos)
        throw ConfigError(d.where() + ": " + name + " uses variables; set it by hand to " + value);
    edits.push_back(Edit{d.file, d.args[0].begin, d.args[0].end, quoted});
}

} // namespace

std::vector<Edit> planBlockEdits(const ServerBlock& block, const DumpFiles& files,
                                 const std::string& certPath, const std::string& keyPath) {
    std::vector<Edit> edits;
    std::string missing;
    planDirective(block.certificates, "ssl_certificate", certPath, block, edits, missing);
    planDirective(block.keys, "ssl_certificate_key", keyPath, block, edits, missing);
    if (!missing.empty())
        edits.push_back(insertAfterBrace(block, files.contents.at(block.node->file), missing));
    return edits;
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
