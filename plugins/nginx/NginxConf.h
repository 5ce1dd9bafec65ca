#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// One argument of a directive, with its raw span in the file it was read from.
struct Arg {
    std::string value; ///< unquoted, escapes resolved as nginx does
    size_t begin = 0;  ///< byte offset of the raw token (including quotes)
    size_t end = 0;    ///< one past the raw token
    bool quoted = false;
};

/// A directive (`name args;`) or a block (`name args { ... }`), as nginx's tokenizer sees it.
struct Directive {
    std::string name;
    std::vector<Arg> args;
    std::string file; ///< the file the directive text is in (as nginx -T names it)
    size_t begin = 0; ///< offset of the name
    size_t end = 0;   ///< one past ';' or the closing '}'
    size_t line = 0;  ///< 1-based line of the name
    bool isBlock = false;
    size_t openBrace = 0; ///< offset of '{' (blocks)
    std::vector<Directive> children;
    /// Where it sits: "http", "http/server", "stream/server"... (names of enclosing blocks).
    std::string context;
    /// A directive brought in by `include` (at any depth) inside its enclosing block: the file
    /// of the outermost such include statement and the offset one past its ';' (0: written in
    /// the block itself). Where an override of a snippet's directive goes.
    std::string includeFile;
    size_t includeEnd = 0;
    /// "file:line", for messages.
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// Tokenizes and structures one file with nginx's rules (quotes, backslash escapes, `#` comments
/// at token start, `${var}`, nested blocks). Does not follow includes. Throws ConfigError naming
/// file:line on a syntax error (unbalanced braces, unterminated quote, text after `}`...) or
/// blocks nested deeper than 100.
std::vector<Directive> parseText(const std::string& text, const std::string& file);

/// The files of an `nginx -T` dump: path -> exact contents, in dump order.
struct DumpFiles {
    std::vector<std::string> order;
    std::map<std::string, std::string> contents;
};

/// Reads a file's current bytes from disk; nullopt when it cannot (then the dump is split by its
/// `# configuration file PATH:` header lines alone).
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

/// Splits `nginx -T` output into files. Text before the first header (warnings) is skipped.
/// When `reader` knows a file, its bytes must equal the dump section (so a header-like line
/// inside a file cannot confuse the split); otherwise throws TemporaryError ("changed while
/// read"). Throws ConfigError when there is no header at all.
DumpFiles splitDump(const std::string& dump, const FileReader& reader);

/// The whole configuration as nginx builds it: the main file's directives with every `include`
/// replaced by the directives of the files it names (globs matched against the dumped files,
/// sorted as glob(3) does, relative paths against the main file's directory).
struct Config {
    std::string mainFile;
    DumpFiles files;
    std::vector<Directive> root;
    /// Every include pattern, absolute (for keeping backups out of included directories).
    std::vector<std::string> includePatterns;
};

/// Builds Config from a dump (first file = main configuration). Throws ConfigError on a syntax
/// error or an include nesting deeper than 32.
Config buildConfig(const DumpFiles& files);

/// Quotes a value for an nginx configuration file when it needs it. Throws ConfigError when it
/// cannot be written safely (contains `$`, a newline or NUL).
std::string quoteValue(const std::string& value);

} // namespace certagent::plugins::nginx
