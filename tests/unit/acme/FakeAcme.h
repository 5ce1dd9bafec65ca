#pragma once

// A scripted stand-in for an ACME server behind the client's transport seam: it answers the
// directory and HEAD newNonce itself and every other request with the next scripted step, each
// reply carrying a fresh Replay-Nonce unless the step says otherwise.

#include "../api/FakeApi.h"
#include "acme/AcmeClient.h"

#include <Poco/JSON/Object.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace certagent::acme::test {

using api::test::FakeClock;
using api::test::Step;

constexpr const char* kDirectoryUrl = "https://ca.test/dir";
constexpr const char* kNewOrderUrl = "https://ca.test/new-order";
constexpr const char* kNewAccountUrl = "https://ca.test/new-acct";
constexpr const char* kAccountUrl = "https://ca.test/acct/1";
constexpr const char* kOrderUrl = "https://ca.test/order/1";
constexpr const char* kAuthzUrl = "https://ca.test/authz/1";
constexpr const char* kChallengeUrl = "https://ca.test/chall/1";
constexpr const char* kFinalizeUrl = "https://ca.test/order/1/finalize";
constexpr const char* kCertUrl = "https://ca.test/cert/1";
/// A valid token (22 characters of the base64url alphabet).
constexpr const char* kToken = "evaGxfADs6pSRb2LAv9IZf";

/// The directory JSON; `meta` members are added under "meta".
std::string directoryJson(const std::string& metaJson = "{}", bool withRenewalInfo = true);

/// A scripted reply (a fresh Replay-Nonce is added by the transport unless `nonce` is given;
/// nonce "-" = none).
Step answer(int status, std::string body,
            std::vector<std::pair<std::string, std::string>> headers = {});
/// An RFC 7807 problem reply of RFC 8555 type `type` ("badNonce").
Step problem(int status, const std::string& type, const std::string& detail = "detail text",
             std::vector<std::pair<std::string, std::string>> headers = {});
/// A transport failure.
Step broken(const std::string& what, bool retryable, bool sent);

/// Order / authorization JSON for the tests' names.
std::string orderJson(const std::string& status, const std::vector<std::string>& names,
                      const std::vector<std::string>& authzUrls = {kAuthzUrl},
                      const std::string& extra = "");
std::string authzJson(const std::string& identifier, bool wildcard, const std::string& token,
                      const std::string& status = "pending");

struct FakeCa {
    FakeClock clock;
    std::string directory = directoryJson();
    std::deque<Step> steps;
    std::vector<api::HttpRequest> requests;
    std::vector<std::string> logs;
    int nonceCounter = 0;
    ClientSettings settings;

    FakeCa();
    /// A client with a fresh P-256 key (or `key`), its account URL set unless `withAccount` false.
    std::unique_ptr<AcmeClient> client(bool withAccount = true);
    std::unique_ptr<AcmeClient> client(AccountKey key, bool withAccount = true);
    /// Requests other than GET directory and HEAD newNonce.
    std::vector<api::HttpRequest> calls() const;
    /// How many requests went to `target` with `method`.
    int count(const std::string& method, const std::string& target) const;
    /// Serves one request (used by the transport).
    api::HttpResponse serve(const api::HttpRequest& request);
};

/// A request's JWS taken apart.
struct SentJws {
    Poco::JSON::Object::Ptr header; ///< decoded protected header
    std::string payload;            ///< decoded payload ("" for POST-as-GET)
    std::string protectedB64, payloadB64;
    std::string signature; ///< raw bytes
};
SentJws decodeJws(const api::HttpRequest& request);

/// Catches the AcmeError thrown by `f`; fails the test if none is thrown.
AcmeError expectAcmeError(const std::function<void()>& f);

} // namespace certagent::acme::test
