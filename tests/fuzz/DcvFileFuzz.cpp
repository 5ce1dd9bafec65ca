// Fuzz target dcv_file: the HTTP domain validation data of an API reply (method, link, file name,
// content, the order's names, one per line, and an optional sixth part that turns on the check
// against our CSR's hashes; split at "%%" lines) through validateHttpDcv. What passes is placed in
// a scratch web root and removed again. Refusals are RefusedError.

#include "FuzzTargets.h"
#include "core/DcvFile.h"
#include "core/backends/GoGetSslDcv.h"
#include "util/Error.h"

#include <sstream>

namespace certagent::fuzz {
namespace {

constexpr const char* kPrefix = "/.well-known/pki-validation/";

/// The hashes of the CSR behind the examples in reference/gogetssl-api.md §7.
crypto::SectigoDcv exampleCsr() {
    crypto::SectigoDcv dcv;
    dcv.md5Upper = "6D4AFC598F6B998741DA2E0E2888831A";
    dcv.sha256Upper = "C40B487B6F6318B995D28FA63B9B786335EC7E7C78B4DA269D2D1143DC0B1F3F";
    dcv.sha256Lower = "c40b487b6f6318b995d28fa63b9b786335ec7e7c78b4da269d2d1143dc0b1f3f";
    dcv.fileName = dcv.md5Upper + ".txt";
    dcv.fileFirstLine = dcv.sha256Upper;
    return dcv;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

void placeAndRemove(const core::DcvFile& file) {
    clearScratch();
    const std::string webroot = scratchDir() + "/www";
    writeScratch("www/index.html", "");
    const core::PlacedFile placed = core::placeDcvFile(webroot, file);
    requireThat(placed.created, "a fresh web root gets the file created");
    requireThat(placed.path == webroot + kPrefix + file.fileName, "placed below the web root");
    requireThat(core::removeDcvFile(placed.path), "placed file removed again");
}

} // namespace

void dcvFile(std::string_view input) {
    const std::vector<std::string> parts = splitParts(input, 6);
    const auto part = [&](std::size_t i) { return i < parts.size() ? parts[i] : std::string(); };
    api::DcvInfo info;
    info.method = firstLine(part(0));
    info.link = firstLine(part(1));
    info.fileName = firstLine(part(2));
    info.content = part(3);
    const std::vector<std::string> names = lines(part(4));
    const crypto::SectigoDcv csr = exampleCsr();
    const crypto::SectigoDcv* expected = parts.size() > 5 ? &csr : nullptr;
    const std::string method = info.method == "https" ? "https" : "http";
    core::ValidatedDcv file;
    try {
        file = core::validateHttpDcv(info, method, names, expected, "order 1840217");
    } catch (const RefusedError&) {
        return;
    }
    requireThat(core::validDcvFileName(core::WellKnownDir::PkiValidation, file.fileName),
                "accepted file name is a plain .txt name");
    requireThat(std::find(names.begin(), names.end(), file.host) != names.end(),
                "link host is one of the order's names");
    placeAndRemove(file);
}

} // namespace certagent::fuzz
