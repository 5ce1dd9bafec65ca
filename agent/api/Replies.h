#pragma once

// Internal: typed replies from parsed JSON objects (throw UnreadableReply / MismatchedReply).

#include "api/Types.h"
#include "util/Secret.h"

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace certagent::api::detail {

/// Parses getOrderStatus; `askedId` > 0 → the reply's order_id must equal it.
OrderStatus parseOrderStatus(const Poco::JSON::Object& obj, long long askedId);
/// Parses getOrdersStatus; entries must be among `asked`.
std::vector<BatchStatus> parseBatch(const Poco::JSON::Object& obj,
                                    const std::vector<long long>& asked);
/// Parses addSSLOrder / addSSLRenewOrder: order_id first (UnreadableReply without a usable one);
/// any other member that does not fit only sets unreadableDetails.
NewOrderResult parseNewOrder(const Poco::JSON::Object& obj, const std::string& dcvMethod);
/// Parses reissueSSLOrder (order_id, if present, must be `askedId`); like parseNewOrder.
ReissueResult parseReissue(const Poco::JSON::Object& obj, long long askedId,
                           const std::string& dcvMethod);
DomainEmails parseDomainEmails(const Poco::JSON::Object& obj);
CsrInfo parseCsr(const Poco::JSON::Object& obj);
OrderList parseOrderList(const Poco::JSON::Object& obj);
AccountBalance parseBalance(const Poco::JSON::Object& obj);
ProductDetails parseProduct(const Poco::JSON::Object& obj, long long askedId);
/// True for 1..512 printable ASCII characters without spaces, quotes or backslashes.
bool isUsableKey(const std::string& key);
/// `message` of a plain reply ("" if absent).
std::string parseMessage(const Poco::JSON::Object& obj);
/// `message` of a reply that confirms an action (revalidate, DCV changes); throws RefusedReply
/// when `success` is false (false, 0, "0", "false", "no"). An absent `success` is not a refusal:
/// the official clients judge failure by `error` alone.
std::string parseConfirmation(const Poco::JSON::Object& obj);
/// True when an error envelope says the auth key is unusable: its message or description names
/// the key ("auth key", "auth_key", "authkey", any case) and calls it invalid, expired, not
/// valid, incorrect, wrong, unknown, not found or revoked. Deliberately narrow: anything else
/// (credentials, orders, "not supplied") stays a refusal; a wrong guess costs one re-auth.
bool isAuthKeyRefusal(const std::string& message, const std::string& description);
/// `key` of an auth reply: 1..512 printable ASCII characters without spaces.
Secret parseAuthKey(const Poco::JSON::Object& obj);

} // namespace certagent::api::detail
