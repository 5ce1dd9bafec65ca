#pragma once

// The fuzz targets' entry functions. Each takes one input, feeds it to the code under test and
// returns normally for every expected outcome (a parse result or the documented exception). A
// finding aborts: a crash, a sanitizer report, an exception of an unexpected type escaping (the
// callers in the agent only catch the documented ones) or a broken invariant (requireThat).
// The same functions run under libFuzzer (FuzzMain.cpp) and, with g++, over the committed corpus
// and regression inputs (RegressionTest.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace certagent::fuzz {

using Entry = void (*)(std::string_view input);

/// One target: its name is the folder of its corpus/ and regressions/ inputs.
struct Target {
    const char* name;
    Entry entry;
};

/// API replies: first byte picks the typed reply reader ('a' + n), the rest is the JSON body.
void apiReplies(std::string_view input);
/// PEM intake: parseSingleCert, parseCertBundle(AllowEmpty) and the re-encoding round trip.
void pemIntake(std::string_view input);
/// The gate: crt_code and ca_code (split at a line "%%") against a fixed key, names and trust.
void gate(std::string_view input);
/// nginx: one file through parseText, quoteValue on each argument.
void nginxConf(std::string_view input);
/// nginx: an `nginx -T` dump through splitDump and buildConfig (include expansion).
void nginxDump(std::string_view input);
/// Apache: files (split at "%%" lines) in a temp ServerRoot through parseConfFile and
/// splitWords.
void apacheConf(std::string_view input);
/// Apache: a DUMP_VHOSTS/DUMP_RUN_CFG output (before a "%%" line) through parseDump, its blocks
/// read by loadVirtualHosts from the configuration file after the "%%" line.
void apacheVhosts(std::string_view input);
/// Configuration: certagent.conf, credentials and certs.d files (split at "%%" lines) in a temp
/// directory through IniFile, loadConfig and readCertFile.
void configFiles(std::string_view input);
/// HTTP domain validation: DcvInfo fields (split at NUL-free "\n%%\n") through validateHttpDcv.
void dcvFile(std::string_view input);

/// ACME: first byte picks the reader ('a' + n), the rest is a CA reply body (or header value).
void acmeReplies(std::string_view input);
/// etcd: first byte picks an EtcdClient call or FleetLock step ('a'..'l', 'A'..'L' with a user)
/// over scripted gateway replies (split at "%%" lines), a record reader ('m'..'q') or the key
/// paths ('r').
void etcdReplies(std::string_view input);

/// Every target, in a fixed order.
const std::vector<Target>& targets();

/// Aborts with `what` on stderr when `condition` is false: a broken invariant is a finding.
void requireThat(bool condition, const char* what);

/// Splits `input` at lines consisting of "%%" (the line and its newline are dropped); at most
/// `maxParts` parts (the last one keeps the rest).
std::vector<std::string> splitParts(std::string_view input, std::size_t maxParts);

/// A directory private to this process, created on first use and removed at exit.
const std::string& scratchDir();

/// Removes everything inside scratchDir() (between inputs: each input starts from nothing).
void clearScratch();

/// Writes `content` to scratchDir()/`relative` with `mode` (parents created 0700).
std::string writeScratch(const std::string& relative, const std::string& content,
                         unsigned mode = 0644);

} // namespace certagent::fuzz
