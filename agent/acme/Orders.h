#pragma once

// Orders (RFC 8555 §7.4-7.5): every call takes URLs as strings, so a caller can persist the order
// URL (and authorization/challenge URLs) and do one protocol step per run (cron mode).

#include "acme/AcmeClient.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::acme {

/// Most alternate chains downloaded for one certificate (more: refused as hostile).
constexpr std::size_t kMaxAlternates = 8;
/// Most pages of an account's orders list followed.
constexpr int kMaxOrderListPages = 10;

/// newOrder (§7.4) for `names`, with `replaces` (an ARI certID, RFC 9773 §5) when not empty.
/// Never repeated once it may have reached the CA: such a failure has maybeProcessed() set, and
/// the caller reconciles with listOrders(). A 201 without Location is refused (exit 4).
Order newOrder(AcmeClient& client, const Names& names, const std::string& replaces = {});

/// The order at `url` (POST-as-GET); its identifiers must equal `names`. Throws AcmeError.
Order fetchOrder(AcmeClient& client, const std::string& url, const Names& names);

/// The authorization at `url` (POST-as-GET); its identifier must be one of `names`.
Authorization fetchAuthorization(AcmeClient& client, const std::string& url, const Names& names);

/// Tells the CA the challenge at `url` is in place (POST {}, §7.5.1). Never repeated once sent.
Challenge respondToChallenge(AcmeClient& client, const std::string& url);

/// finalize (§7.4) with the CSR's DER bytes (crypto::csrToDer); the order should be "ready".
/// Never repeated once sent. Returns the order as the CA then describes it.
Order finalizeOrder(AcmeClient& client, const Order& order, const std::string& csrDer,
                    const Names& names);

/// One chain as the CA sent it (PEM text, leaf first): only the verification gate parses it.
struct Chain {
    std::string url;
    std::string pem;
};

/// The certificate (§7.4.2) with Accept: application/pem-certificate-chain: the default chain
/// first, then each Link rel="alternate" chain (at most kMaxAlternates). Throws AcmeError.
std::vector<Chain> downloadCertificate(AcmeClient& client, const std::string& certificateUrl);

/// Every order URL of the account's orders list (§7.1.2.1), following Link rel="next" for at
/// most kMaxOrderListPages pages. Throws AcmeError.
std::vector<std::string> listOrders(AcmeClient& client, const std::string& ordersUrl);

/// What to do next with an order, from its status alone.
enum class NextStep {
    Authorize, ///< pending: fetch the authorizations, place and answer their challenges
    Wait,      ///< processing: ask again later (Retry-After)
    Finalize,  ///< ready: finalizeOrder()
    Download,  ///< valid: downloadCertificate(order.certificate)
    Failed,    ///< invalid: order.error says why
};
NextStep nextStep(const Order& order);

/// A challenge to place, computed locally: no server text but the checked token.
struct ChallengeTask {
    std::string type;     ///< "http-01" | "dns-01"
    std::string name;     ///< the configured name it proves ("*.example.com" for a wildcard)
    std::string url;      ///< the challenge URL for respondToChallenge()
    std::string token;    ///< http-01: the file name below /.well-known/acme-challenge/
    std::string content;  ///< http-01: the file content (the key authorization)
    std::string dnsName;  ///< dns-01: "_acme-challenge.<identifier>" (no "*.")
    std::string dnsValue; ///< dns-01: the TXT value
};

/// The task for the authorization's challenge of `type` ("http-01" or "dns-01"), nullopt when
/// the CA offers none of that type. Throws std::invalid_argument for another type.
std::optional<ChallengeTask> challengeTask(const Authorization& authz, const std::string& type,
                                           const AccountKey& key);

} // namespace certagent::acme
