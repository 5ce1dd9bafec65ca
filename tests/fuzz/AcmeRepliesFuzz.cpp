// Fuzz target acme_replies: one CA reply body through the ACME readers (first byte 'a' + n picks
// the reader), against a fixed directory origin and configured names. The readers refuse with
// BadReply; readProblem and the header parsers never throw. Every URL a reader returns must be on
// the directory's origin, every token it returns must be safe to name a file.

#include "FuzzTargets.h"
#include "acme/Types.h"
#include "acme/Wire.h"

#include <sstream>

namespace certagent::fuzz {
namespace {

namespace ac = acme;

const ac::Origin& origin() {
    static const ac::Origin o("https://acme.example.org:14000/dir", "fuzz directory");
    return o;
}

const ac::Names& names() {
    static const ac::Names n({"example.com", "*.example.com", "www.example.com"});
    return n;
}

const std::string kUrl = "https://acme.example.org:14000/acme/x/1";

void onOrigin(const std::string& url, const char* what) {
    if (!url.empty()) {
        requireThat(url.rfind(origin().base() + "/", 0) == 0 || url == origin().base(), what);
    }
}

void checkProblem(const std::optional<ac::Problem>& p) {
    if (p) {
        const std::string line = p->describe();
        requireThat(line.find('\n') == std::string::npos && line.find('\x1b') == std::string::npos,
                    "problem description is one escaped line");
        requireThat(p->subproblems.size() <= 10, "at most 10 subproblems kept");
    }
}

void checkChallenge(const ac::Challenge& c) {
    onOrigin(c.url, "challenge URL on the origin");
    requireThat(c.token.empty() || ac::validToken(c.token), "challenge token is safe");
    checkProblem(c.error);
}

void directory(const std::string& body) {
    const ac::Directory d = ac::readDirectory(body, kUrl, origin());
    for (const std::string* u :
         {&d.newNonce, &d.newAccount, &d.newOrder, &d.revokeCert, &d.keyChange, &d.renewalInfo}) {
        onOrigin(*u, "directory URL on the origin");
    }
    requireThat(!d.newNonce.empty() && !d.newAccount.empty() && !d.newOrder.empty(),
                "required directory URLs present");
}

void order(const std::string& body) {
    const ac::Order o = ac::readOrder(body, kUrl, origin(), names());
    onOrigin(o.finalize, "finalize URL on the origin");
    onOrigin(o.certificate, "certificate URL on the origin");
    requireThat(o.authorizations.size() <= ac::kMaxAuthorizations, "authorizations capped");
    for (const std::string& a : o.authorizations) {
        onOrigin(a, "authorization URL on the origin");
    }
    checkProblem(o.error);
}

void authorization(const std::string& body) {
    const ac::Authorization a = ac::readAuthorization(body, kUrl, origin(), names());
    requireThat(names().covers(a.identifier, a.wildcard), "authorization is for a configured name");
    requireThat(a.challenges.size() <= ac::kMaxChallenges, "challenges capped");
    for (const ac::Challenge& c : a.challenges) {
        checkChallenge(c);
    }
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

/// Header values and URLs rather than JSON: Link, dates, Retry-After, Origin::check.
void headers(const std::string& body) {
    for (const ac::Link& l : ac::parseLinks(lines(body))) {
        try {
            onOrigin(origin().check(l.url, "link", kUrl), "checked link on the origin");
        } catch (const ac::BadReply&) {
        }
    }
    const auto now = std::chrono::system_clock::from_time_t(1893456000);
    ac::parseHttpDate(body);
    ac::parseRfc3339(body);
    if (const auto wait = ac::parseRetryAfter(body, now)) {
        requireThat(wait->count() >= 0 && *wait <= ac::kMaxRetryAfter, "Retry-After clamped");
    }
    try {
        const std::string url = origin().check(body, "url", kUrl);
        onOrigin(url, "checked URL on the origin");
        ac::Origin::target(url);
    } catch (const ac::BadReply&) {
    }
}

void readTyped(unsigned kind, const std::string& body) {
    switch (kind) {
    case 0:
        return directory(body);
    case 1:
        onOrigin(ac::readAccount(body, kUrl, origin()).orders, "orders URL on the origin");
        return;
    case 2:
        return order(body);
    case 3:
        return authorization(body);
    case 4:
        return checkChallenge(ac::readChallenge(body, origin()));
    case 5:
        for (const std::string& u : ac::readOrderList(body, origin())) {
            onOrigin(u, "listed order URL on the origin");
        }
        return;
    case 6:
        return checkProblem(ac::readProblem(body));
    default:
        return headers(body);
    }
}

} // namespace

void acmeReplies(std::string_view input) {
    if (input.empty()) {
        return;
    }
    const unsigned kind = static_cast<unsigned char>(input[0] - 'a') % 8;
    try {
        readTyped(kind, std::string(input.substr(1)));
    } catch (const ac::BadReply&) {
    }
}

} // namespace certagent::fuzz
