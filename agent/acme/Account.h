#pragma once

// The account (RFC 8555 §7.3), protocol side only: the caller keeps the key and the account URL.

#include "acme/AcmeClient.h"
#include "util/Secret.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::acme {

/// External Account Binding credentials (§7.3.4) as the CA issued them.
struct Eab {
    std::string kid;
    Secret hmacKey; ///< raw key bytes (decodeEabKey of the configured text)
};

/// What a new account states.
struct AccountRequest {
    std::vector<std::string> contact; ///< contactUrl() forms: "mailto:ops@example.com"
    bool agreeTos = false;            ///< the user agreed to the directory's termsOfService
    const Eab* eab = nullptr;         ///< nullptr = no binding
};

/// "mailto:<address>" for a bare address, the text itself when it already is a mailto: URL.
/// Throws ConfigError for an empty address or one with ",", "?", spaces or control characters.
std::string contactUrl(const std::string& contact);

/// newAccount (§7.3): creates the account, or gets the existing one of this key (the CA answers
/// 200). Before any POST, throws AcmeError with exit 2 when the directory requires EAB and none
/// is given, or publishes terms of service that `agreeTos` does not accept. A binding the CA
/// refuses, a deactivated account, a missing Location: exit 4. Sets the client's account URL.
AccountFacts registerAccount(AcmeClient& client, const AccountRequest& request);

/// newAccount with onlyReturnExisting (§7.3.1): the account of this key, or nullopt when the CA
/// knows none. Sets the client's account URL when found. Throws AcmeError.
std::optional<AccountFacts> findAccount(AcmeClient& client);

/// POST-as-GET of the client's account URL: the account as the CA sees it now. Throws AcmeError.
AccountFacts fetchAccount(AcmeClient& client);

} // namespace certagent::acme
