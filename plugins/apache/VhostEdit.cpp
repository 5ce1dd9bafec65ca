#include "plugins/apache/VhostEdit.h"

#include "util/Error.h"

#include <algorithm>

namespace certagent::plugins::apache {

namespace {

/// Replace lines [first, last] (1-based, inclusive; last = first - 1 inserts before first).
struct Edit {
    int first = 0;
    int last = 0;
    std::vector<std::string> lines;
};

std::vector<std::string> splitLines(const std::string& text, bool& finalNewline) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    finalNewline = !text.empty() && text.back() == '\n';
    return lines;
}

const std::string& lineAt(const std::vector<std::string>& lines, int line) {
    static const std::string kNone;
    return line >= 1 && line <= static_cast<int>(lines.size()) ? lines[line - 1] : kNone;
}

Edit editFor(const LineChange& c, const std::vector<std::string>& lines, const std::string& file) {
    const std::string& at = lineAt(lines, c.line);
    if (at.find(c.expect) == std::string::npos || c.lastLine > static_cast<int>(lines.size()))
        throw ConfigError("apache: " + file + ":" + std::to_string(c.line) +
                          " changed since discovery (no " + c.expect + " there); try again");
    std::string indent =
        c.kind == LineChange::InsertBefore ? c.indent : at.substr(0, at.find_first_not_of(" \t"));
    std::string eol = !at.empty() && at.back() == '\r' ? "\r" : "";
    std::vector<std::string> text;
    for (const std::string& d : c.directives)
        text.push_back(indent + d + eol);
    switch (c.kind) {
    case LineChange::Replace:
        return {c.line, c.lastLine, text};
    case LineChange::Remove:
        return {c.line, c.lastLine, {}};
    case LineChange::InsertAfter:
        return {c.lastLine + 1, c.lastLine, text};
    case LineChange::InsertBefore:
        break;
    }
    return {c.line, c.line - 1, text};
}

} // namespace

std::string applyChanges(const std::string& text, const std::string& file,
                         const std::vector<LineChange>& changes) {
    bool finalNewline = false;
    std::vector<std::string> lines = splitLines(text, finalNewline);
    std::vector<Edit> edits;
    for (const LineChange& c : changes)
        edits.push_back(editFor(c, lines, file));
    // Bottom up, so earlier line numbers stay valid; at one line a replacement before an insert.
    std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
        return a.first > b.first || (a.first == b.first && a.last > b.last);
    });
    for (const Edit& e : edits) {
        auto begin = lines.begin() + (e.first - 1);
        lines.erase(begin, begin + (e.last - e.first + 1));
        lines.insert(lines.begin() + (e.first - 1), e.lines.begin(), e.lines.end());
    }
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i)
        out += lines[i] + (i + 1 < lines.size() || finalNewline ? "\n" : "");
    return out;
}

} // namespace certagent::plugins::apache
