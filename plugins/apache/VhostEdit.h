#pragma once

// Changing lines of a configuration file: each change names the line it applies to and a word
// that must still be there (an administrator may have edited the file since discovery); every
// other line is kept byte for byte, CRLF line ends included.

#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// One change to a configuration file.
struct LineChange {
    enum Kind {
        Replace,      ///< lines [line, lastLine] become `directives`
        Remove,       ///< lines [line, lastLine] go
        InsertAfter,  ///< `directives` go after lastLine (an Include spanning line..lastLine)
        InsertBefore, ///< `directives` go before `line` (a </VirtualHost>)
    };
    Kind kind = Replace;
    int line = 0;
    int lastLine = 0;
    std::string expect;                  ///< text that must be on `line`
    std::vector<std::string> directives; ///< unindented; each gets the indentation of `line`
    std::string indent;                  ///< indentation for InsertBefore
    bool operator==(const LineChange& o) const {
        return kind == o.kind && line == o.line && lastLine == o.lastLine &&
               directives == o.directives;
    }
};

/// `text` (the content of `file` as parsed) with `changes` made. Throws ConfigError naming
/// file:line when a line no longer holds what discovery saw.
std::string applyChanges(const std::string& text, const std::string& file,
                         const std::vector<LineChange>& changes);

} // namespace certagent::plugins::apache
