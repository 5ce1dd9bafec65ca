#include "core/backends/GoGetSslDcv.h"

#include "crypto/Csr.h"
#include "util/Error.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <algorithm>
#include <regex>

namespace certagent::core {

namespace {

const char* const kPrefix = "/.well-known/pki-validation/";

[[noreturn]] void refuse(const std::string& context, const std::string& field,
                         const std::string& why) {
    throw RefusedError((context.empty() ? "" : context + ": ") + "dcv " + field + ": " + why);
}

std::vector<std::string> splitLines(const std::string& content) {
    std::vector<std::string> lines;
    std::string cur;
    for (std::size_t i = 0; i < content.size(); ++i) {
        char c = content[i];
        if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n')
            continue;
        if (c == '\n') {
            lines.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty())
        lines.push_back(cur);
    return lines;
}

void checkContent(const std::string& content, const std::string& context) {
    if (content.empty())
        refuse(context, "content", "empty");
    if (content.size() > 600)
        refuse(context, "content", "longer than 600 bytes");
    for (std::size_t i = 0; i < content.size(); ++i) {
        unsigned char c = content[i];
        bool ok = std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '\n' ||
                  (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n');
        if (!ok)
            refuse(context, "content",
                   "character not allowed in a validation file: \"" +
                       escapeForLog(content.substr(i, 1)) + "\"");
    }
    auto lines = splitLines(content);
    if (lines.size() > 4)
        refuse(context, "content", "more than 4 lines");
    for (const auto& line : lines)
        if (line.size() > 128)
            refuse(context, "content", "line longer than 128 characters");
}

std::string checkLink(const std::string& link, const std::string& fileName,
                      const std::vector<std::string>& names, const std::string& context) {
    std::string rest;
    if (link.compare(0, 7, "http://") == 0)
        rest = link.substr(7);
    else if (link.compare(0, 8, "https://") == 0)
        rest = link.substr(8);
    else
        refuse(context, "link", "not an http(s) URL: \"" + escapeForLog(link, 200) + "\"");
    auto slash = rest.find('/');
    std::string host = Poco::toLower(rest.substr(0, slash));
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    if (std::find(names.begin(), names.end(), host) == names.end())
        refuse(context, "link",
               "host \"" + escapeForLog(host, 200) + "\" is not one of the order's names");
    if (path != kPrefix + fileName)
        refuse(context, "link",
               "path \"" + escapeForLog(path, 200) + "\" is not " + kPrefix + fileName);
    return host;
}

/// (domain, DCV data) for the common name and every SAN that came with its own data; SANs
/// without data share the common name's (Sectigo: one file for all names).
std::vector<std::pair<std::string, api::DcvInfo>> dcvItems(const std::vector<std::string>& domains,
                                                           const api::DcvInfo& main,
                                                           const std::vector<api::SanItem>& sans) {
    std::vector<std::pair<std::string, api::DcvInfo>> items;
    if (!main.empty())
        items.emplace_back(domains[0], main);
    for (const auto& san : sans)
        if (!san.validation.empty())
            items.emplace_back(san.name, san.validation);
    return items;
}

std::vector<Challenge>
httpChallenges(const std::vector<std::pair<std::string, api::DcvInfo>>& items,
               const OrderContext& ctx, const std::string& order) {
    std::vector<Challenge> out;
    if (items.empty())
        return out;
    const auto& cert = ctx.cert;
    std::optional<crypto::SectigoDcv> expected;
    if (!ctx.csrPem.empty())
        expected = crypto::sectigoDcv(*crypto::csrFromPem(ctx.csrPem, ctx.csrLabel));
    else if (ctx.warn)
        ctx.warn("no CSR of ours at " + ctx.csrLabel + "; cannot cross-check the validation file");
    for (const auto& [domain, info] : items) {
        if (std::find(cert.domains.begin(), cert.domains.end(), domain) == cert.domains.end())
            throw RefusedError(order + ": dcv for \"" + escapeForLog(domain, 200) +
                               "\", which is not a configured name");
        ValidatedDcv file =
            validateHttpDcv(info, cert.dcv, cert.domains, expected ? &*expected : nullptr, order);
        Challenge c;
        c.kind = Challenge::Kind::HttpFile;
        c.domain = domain;
        c.dir = WellKnownDir::PkiValidation;
        c.fileName = file.fileName;
        c.content = file.content;
        out.push_back(c);
    }
    return out;
}

std::vector<Challenge> dnsChallenges(const std::vector<std::pair<std::string, api::DcvInfo>>& items,
                                     const std::string& order) {
    static const std::regex safe("[A-Za-z0-9_.-]{1,253}");
    std::vector<Challenge> out;
    for (const auto& [domain, info] : items) {
        if (info.method != "dns")
            throw RefusedError(order + ": dcv method \"" + escapeForLog(info.method, 40) +
                               "\" is not the configured dns");
        if (!std::regex_match(info.dnsName, safe) || !std::regex_match(info.dnsTarget, safe))
            throw RefusedError(order + ": dcv record \"" + escapeForLog(info.dnsRecord, 200) +
                               "\" is not a plain name");
        Challenge c;
        c.kind = Challenge::Kind::DnsRecord;
        c.domain = domain;
        c.dnsName = info.dnsName;
        c.dnsType = "CNAME";
        c.dnsValue = info.dnsTarget;
        out.push_back(c);
    }
    return out;
}

} // namespace

ValidatedDcv validateHttpDcv(const api::DcvInfo& info, const std::string& expectedMethod,
                             const std::vector<std::string>& orderNames,
                             const crypto::SectigoDcv* expected, const std::string& context) {
    if (info.method != expectedMethod)
        refuse(context, "method",
               "\"" + escapeForLog(info.method, 40) + "\" is not the configured " + expectedMethod);
    if (!validDcvFileName(WellKnownDir::PkiValidation, info.fileName))
        refuse(context, "filename",
               "\"" + escapeForLog(info.fileName, 200) + "\" is not a plain .txt name");
    checkContent(info.content, context);
    ValidatedDcv file;
    file.fileName = info.fileName;
    file.content = info.content;
    file.host = checkLink(info.link, info.fileName, orderNames, context);
    if (expected) {
        if (Poco::icompare(info.fileName, expected->fileName) != 0)
            refuse(context, "filename",
                   info.fileName + " differs from the MD5 of our CSR (" + expected->fileName + ")");
        auto lines = splitLines(info.content);
        if (lines.empty() || Poco::icompare(lines[0], expected->fileFirstLine) != 0)
            refuse(context, "content", "first line differs from the SHA-256 of our CSR");
    }
    return file;
}

void fillChallenges(OrderView& view, const api::DcvInfo& main,
                    const std::vector<api::SanItem>& sans, const OrderContext& ctx,
                    const std::string& order) {
    const auto& cert = ctx.cert;
    if (cert.dcv == "email") {
        Challenge c;
        c.kind = Challenge::Kind::Email;
        c.domain = cert.domains[0];
        c.email = !main.email.empty() ? main.email : cert.approverEmail;
        view.challenges.push_back(c);
        return;
    }
    try {
        auto items = dcvItems(cert.domains, main, sans);
        view.challenges =
            cert.dcv == "dns" ? dnsChallenges(items, order) : httpChallenges(items, ctx, order);
    } catch (const RefusedError& e) {
        view.challenges.clear();
        view.challengeProblem = e.what();
    }
}

} // namespace certagent::core
