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

std::string indentOf(const std::vector<std::string>& lines, int line, const std::string& fallback) {
    if (line < 1 || line > static_cast<int>(lines.size()))
        return fallback;
    const std::string& text = lines[static_cast<size_t>(line - 1)];
    return text.substr(0, text.find_first_not_of(" \t"));
}

std::string eol(const std::vector<std::string>& lines, int line) {
    if (line < 1 || line > static_cast<int>(lines.size()))
        return "";
    const std::string& text = lines[static_cast<size_t>(line - 1)];
    return !text.empty() && text.back() == '\r' ? "\r" : "";
}

void editsFor(const VirtualHost& vhost, const LivePaths& live,
              const std::vector<std::string>& lines, std::vector<Edit>& edits) {
    std::string certLine = "SSLCertificateFile " + quoteArg(live.fullchain);
    std::string keyLine = "SSLCertificateKeyFile " + quoteArg(live.key);
    std::vector<std::string> missing;
    auto replace = [&](const ConfNode& d, const std::string& text) {
        // The lines must still be what discovery parsed (an administrator may edit meanwhile).
        const std::string& now = d.line <= static_cast<int>(lines.size())
                                     ? lines[static_cast<size_t>(d.line - 1)]
                                     : std::string();
        if (now.find(d.name) == std::string::npos)
            throw ConfigError("apache: " + d.file + ":" + std::to_string(d.line) +
                              " changed since discovery (no " + d.name + " there); try again");
        edits.push_back({d.line,
                         d.lastLine,
                         {indentOf(lines, d.line, vhost.indent) + text + eol(lines, d.line)}});
    };
    if (vhost.certFiles.empty())
        missing.push_back(vhost.indent + certLine + eol(lines, vhost.endLine));
    else
        replace(vhost.certFiles[0], certLine);
    if (vhost.keyFiles.empty())
        missing.push_back(vhost.indent + keyLine + eol(lines, vhost.endLine));
    else
        replace(vhost.keyFiles[0], keyLine);
    for (const ConfNode& chain : vhost.chainFiles)
        edits.push_back({chain.line, chain.lastLine, {}});
    if (!missing.empty() &&
        (vhost.endLine > static_cast<int>(lines.size()) ||
         lines[static_cast<size_t>(vhost.endLine - 1)].find("</") == std::string::npos))
        throw ConfigError("apache: " + vhost.file + ":" + std::to_string(vhost.endLine) +
                          " changed since discovery (no </VirtualHost> there); try again");
    if (!missing.empty())
        edits.push_back({vhost.endLine, vhost.endLine - 1, missing});
}

} // namespace

bool pointsAt(const VirtualHost& vhost, const LivePaths& live, const ConfContext& context) {
    return vhost.certFiles.size() == 1 && vhost.keyFiles.size() == 1 && vhost.chainFiles.empty() &&
           !vhost.certFiles[0].args.empty() && !vhost.keyFiles[0].args.empty() &&
           resolvePath(vhost.certFiles[0].args[0], context) == live.fullchain &&
           resolvePath(vhost.keyFiles[0].args[0], context) == live.key;
}

void checkEditable(const VirtualHost& vhost) {
    if (vhost.certFiles.size() > 1 || vhost.keyFiles.size() > 1)
        throw ConfigError("apache: the block at " + vhost.where() +
                          " has several SSLCertificateFile/KeyFile pairs; point it at one "
                          "certificate by hand first");
    for (const auto* list : {&vhost.certFiles, &vhost.keyFiles, &vhost.chainFiles})
        for (const ConfNode& d : *list)
            if (d.file != vhost.file)
                throw ConfigError("apache: " + d.name + " for the block at " + vhost.where() +
                                  " is set in " + d.file + ":" + std::to_string(d.line) +
                                  ", which other blocks may include; move it into the block");
}

std::string editText(const std::string& text, const std::vector<const VirtualHost*>& vhosts,
                     const LivePaths& live) {
    bool finalNewline = false;
    std::vector<std::string> lines = splitLines(text, finalNewline);
    std::vector<Edit> edits;
    for (const VirtualHost* vhost : vhosts)
        editsFor(*vhost, live, lines, edits);
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
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
