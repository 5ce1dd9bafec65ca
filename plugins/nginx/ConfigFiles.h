#pragma once

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

/// The edits that point `block`'s ssl_certificate / ssl_certificate_key at `certPath` /
/// `keyPath`: the argument of an existing directive is replaced, a missing one is inserted after
/// the `server {` line; none when both already point there. `files` are the dumped contents.
/// Throws ConfigError for what it will not edit blindly (several certificates in one block, a
/// directive with variables or the wrong number of arguments).
std::vector<Edit> planBlockEdits(const ServerBlock& block, const DumpFiles& files,
                                 const std::string& certPath, const std::string& keyPath);

/// Applies non-overlapping edits of one file to its text.
std::string applyEdits(const std::string& text, std::vector<Edit> edits);

} // namespace certagent::plugins::nginx
