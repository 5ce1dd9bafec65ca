#pragma once

#include "plugins/nginx/CertPairs.h"
#include "plugins/nginx/ServerBlocks.h"

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// Replace bytes [begin, end) of `file` with `text` (begin == end: insert).
struct Edit {
    std::string file;
    size_t begin = 0;
    size_t end = 0;
    std::string text;
};

/// The edits that replace the arguments of `pair` with `certPath` / `keyPath` (quoted when
/// needed), wherever the directives are written; none when they already point there. Throws
/// ConfigError for a directive with variables or the wrong number of arguments.
std::vector<Edit> repointPair(const CertPair& pair, const std::string& certPath,
                              const std::string& keyPath);

/// The edit inserting an ssl_certificate / ssl_certificate_key pair right after the `server {`
/// line of `block` (on the brace's line when the block goes on after it), indented like the
/// block's first directive, with the file's line endings. `files` are the dumped contents.
Edit insertPairInBlock(const ServerBlock& block, const DumpFiles& files,
                       const std::string& certPath, const std::string& keyPath);

/// The edit inserting a pair right after the include statement that brought `fromInclude` into
/// its block (Directive::includeFile/includeEnd): a later pair of the same key type overrides
/// the included one without touching the included file.
Edit insertPairAfterInclude(const Directive& fromInclude, const DumpFiles& files,
                            const std::string& certPath, const std::string& keyPath);

/// Applies non-overlapping edits of one file to its text. Throws ConfigError on overlaps.
std::string applyEdits(const std::string& text, std::vector<Edit> edits);

} // namespace certagent::plugins::nginx
