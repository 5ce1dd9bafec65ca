#pragma once

// A tokenizer and parser for Apache httpd configuration text: logical lines joined at a trailing
// backslash, comment lines, double- and single-quoted arguments with backslash escapes,
// <Section args> ... </Section> nesting, ${VAR} substitution, and Include / IncludeOptional with
// wildcards (relative to ServerRoot). Every directive keeps the file and line range it came from
// so the installer can edit exactly those lines.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// One directive or section.
struct ConfNode {
    std::string name;              ///< as written ("SSLCertificateFile", "VirtualHost")
    std::vector<std::string> args; ///< unquoted, ${VAR} substituted
    std::string file;              ///< the file it is written in
    int line = 0;                  ///< first physical line (1-based)
    int lastLine = 0;              ///< last physical line of the directive (continuations)
    bool section = false;          ///< <name ...> ... </name>
    int endLine = 0;               ///< line of </name> for a section
    std::vector<ConfNode> children;
    /// Case-insensitive name comparison (Apache directive names are case-insensitive).
    bool is(const char* directive) const;
};

/// What the parser needs to know of the running configuration.
struct ConfContext {
    std::string serverRoot;                  ///< relative paths resolve against it
    std::map<std::string, std::string> vars; ///< ${VAR} values (environment and Define)
    std::set<std::string> defines;           ///< for <IfDefine>
    std::set<std::string> modules;           ///< loaded module ids ("ssl_module")
    bool followIncludes = true;              ///< expand Include/IncludeOptional into children
};

/// Splits one logical line into words the way Apache does (ap_getword_conf): whitespace
/// separates, "..." and '...' group, a backslash escapes the quote character inside quotes.
std::vector<std::string> splitWords(const std::string& line);

/// Quotes an argument for writing back into a configuration file when it needs it.
std::string quoteArg(const std::string& arg);

/// Parses `path`. Include/IncludeOptional inside it are expanded in place (their nodes keep
/// their own file) when context.followIncludes. Throws ConfigError naming file:line for an
/// unreadable file (IncludeOptional tolerates missing matches), an unclosed or mismatched
/// section, sections nested deeper than 100, or an include depth over 16.
std::vector<ConfNode> parseConfFile(const std::string& path, const ConfContext& context);

/// Whether an <IfModule>/<IfDefine>/<IfFile> section's condition holds; other sections
/// (<Directory>, <Location>...) return true. Unknown conditions count as true.
bool conditionHolds(const ConfNode& section, const ConfContext& context);

/// Resolves a path argument against ServerRoot when it is relative.
std::string resolvePath(const std::string& path, const ConfContext& context);

} // namespace certagent::plugins::apache
