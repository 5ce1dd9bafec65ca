// Fuzz targets nginx_conf and nginx_dump: nginx's tokenizer on one file, and an `nginx -T` dump
// through the split, the include expansion and the server block reading. Syntax errors are
// ConfigError, a file that changed under the dump TemporaryError. The byte offsets kept for
// editing must point at the text they describe.

#include "FuzzTargets.h"
#include "plugins/nginx/NginxConf.h"
#include "plugins/nginx/Selection.h"
#include "plugins/nginx/ServerBlocks.h"
#include "util/Error.h"

namespace certagent::fuzz {
namespace {

namespace nx = plugins::nginx;

/// The offsets of `d` (and its children) are inside `text` and land on the right characters.
void checkOffsets(const nx::Directive& d, const std::string& text) {
    requireThat(d.begin < d.end && d.end <= text.size(), "directive span inside its file");
    requireThat(d.line >= 1, "directive line is 1-based");
    if (d.isBlock) {
        requireThat(d.openBrace < d.end && text[d.openBrace] == '{', "openBrace at '{'");
        requireThat(text[d.end - 1] == '}', "block ends after '}'");
    } else {
        requireThat(text[d.end - 1] == ';', "directive ends after ';'");
    }
    for (const nx::Arg& a : d.args) {
        requireThat(d.begin < a.begin && a.begin <= a.end && a.end < d.end,
                    "argument span inside its directive");
        if (a.quoted) {
            requireThat(text[a.begin] == '"' || text[a.begin] == '\'', "quoted arg at its quote");
        }
    }
    for (const nx::Directive& c : d.children) {
        if (c.file == d.file) {
            requireThat(d.openBrace < c.begin && c.end < d.end, "child inside its block");
        }
    }
}

void checkTree(const std::vector<nx::Directive>& tree, const nx::DumpFiles& files) {
    for (const nx::Directive& d : tree) {
        const auto it = files.contents.find(d.file);
        requireThat(it != files.contents.end(), "directive file is a dumped file");
        checkOffsets(d, it->second);
        checkTree(d.children, files);
    }
}

void quoteEach(const std::vector<nx::Directive>& tree) {
    for (const nx::Directive& d : tree) {
        for (const nx::Arg& a : d.args) {
            try {
                const std::string quoted = nx::quoteValue(a.value);
                const std::vector<nx::Directive> back = nx::parseText("x " + quoted + ";", "q");
                requireThat(back.size() == 1 && back[0].args.size() == 1 &&
                                back[0].args[0].value == a.value,
                            "quoteValue round-trips through the tokenizer");
            } catch (const ConfigError&) {
            }
        }
        quoteEach(d.children);
    }
}

/// Files whose name ends in ".disk" are "on disk" with fixed contents (to reach the check that
/// the dump matches the file); the rest are known only from the dump.
std::optional<std::string> fakeDisk(const std::string& path) {
    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".disk") == 0) {
        return std::string("events {}\n");
    }
    return std::nullopt;
}

} // namespace

void nginxConf(std::string_view input) {
    const std::string text(input);
    try {
        const std::vector<nx::Directive> tree = nx::parseText(text, "/etc/nginx/nginx.conf");
        nx::DumpFiles files;
        files.contents["/etc/nginx/nginx.conf"] = text;
        checkTree(tree, files);
        quoteEach(tree);
    } catch (const ConfigError&) {
    }
}

void nginxDump(std::string_view input) {
    try {
        const nx::DumpFiles files = nx::splitDump(std::string(input), fakeDisk);
        requireThat(files.order.size() == files.contents.size(), "dump order lists each file");
        const nx::Config config = nx::buildConfig(files);
        checkTree(config.root, files);
        const std::vector<nx::ServerBlock> blocks = nx::serverBlocks(config);
        for (bool tls : {true, false}) {
            for (const nx::Selection& s : nx::selectServers(blocks, "www.example.com", tls)) {
                requireThat(s.block < blocks.size(), "selected block exists");
            }
        }
    } catch (const ConfigError&) {
    } catch (const TemporaryError&) {
    }
}

} // namespace certagent::fuzz
