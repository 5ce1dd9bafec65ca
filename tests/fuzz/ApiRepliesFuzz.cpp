// Fuzz target api_replies: one reply body through the same steps ClientCore takes (parseObject,
// errorEnvelope, then the call's typed reader). The agent catches UnreadableReply and
// MismatchedReply only; any other exception escaping a reader is a finding.

#include "FuzzTargets.h"
#include "api/Json.h"
#include "api/Replies.h"
#include "util/Text.h"

#include <algorithm>

namespace certagent::fuzz {
namespace {

using Poco::JSON::Object;
namespace d = api::detail;

constexpr long long kAskedOrder = 1840217;
constexpr long long kAskedProduct = 65;

void requireString(const std::string& s, const char* what) {
    requireThat(s.size() <= d::kMaxStringBytes && isValidUtf8(s), what);
}

void checkDcv(const api::DcvInfo& dcv) {
    requireString(dcv.link, "DCV link is checked text");
    requireString(dcv.fileName, "DCV file name is checked text");
    requireString(dcv.content, "DCV content is checked text");
    requireString(dcv.dnsRecord, "DCV record is checked text");
}

void checkPem(const std::string& pem) {
    requireThat(pem.size() <= d::kMaxPemBytes, "PEM member within its cap");
    requireThat(pem.find("\r\n") == std::string::npos, "PEM member has LF line ends");
}

void orderStatus(const Object& obj) {
    const api::OrderStatus s = d::parseOrderStatus(obj, kAskedOrder);
    requireThat(s.orderId == kAskedOrder, "status reply is about the asked order");
    checkPem(s.csrCode);
    checkPem(s.crtCode);
    checkPem(s.caCode);
    checkDcv(s.approver);
    for (const api::SanItem& san : s.san) {
        checkDcv(san.validation);
    }
}

void batch(const Object& obj) {
    const std::vector<long long> asked{kAskedOrder, kAskedOrder + 1};
    for (const api::BatchStatus& b : d::parseBatch(obj, asked)) {
        requireThat(std::find(asked.begin(), asked.end(), b.orderId) != asked.end(),
                    "batch entry among the asked orders");
    }
}

void newOrder(const Object& obj, const std::string& method) {
    const api::NewOrderResult n = d::parseNewOrder(obj, method);
    requireThat(n.orderId > 0 && n.orderId <= d::kMaxId, "new order id in range");
    checkDcv(n.approver);
}

void reissue(const Object& obj) {
    const api::ReissueResult r = d::parseReissue(obj, kAskedOrder, "http");
    requireThat(r.orderId == kAskedOrder, "reissue reply is about the asked order");
    checkDcv(r.validation);
}

void product(const Object& obj) {
    requireThat(d::parseProduct(obj, kAskedProduct).productId == kAskedProduct,
                "product reply is about the asked product");
}

void authKey(const Object& obj) {
    const Secret key = d::parseAuthKey(obj);
    requireThat(d::isUsableKey(key.reveal()), "auth key is usable");
}

/// The typed reader selected by the first input byte ('a' + n).
void readTyped(unsigned kind, const Object& obj) {
    switch (kind) {
    case 0:
        return orderStatus(obj);
    case 1:
        return batch(obj);
    case 2:
        return newOrder(obj, "http");
    case 3:
        return newOrder(obj, "dns");
    case 4:
        return reissue(obj);
    case 5:
        d::parseDomainEmails(obj);
        return;
    case 6:
        d::parseCsr(obj);
        return;
    case 7:
        d::parseOrderList(obj);
        return;
    case 8:
        d::parseBalance(obj);
        return;
    case 9:
        return product(obj);
    case 10:
        d::parseMessage(obj);
        return;
    default:
        return authKey(obj);
    }
}

} // namespace

void apiReplies(std::string_view input) {
    if (input.empty()) {
        return;
    }
    const unsigned kind = static_cast<unsigned char>(input[0] - 'a') % 12;
    const std::string body(input.substr(1));
    try {
        const Object::Ptr obj = d::parseObject(body);
        std::string message, description;
        if (d::errorEnvelope(*obj, message, description)) {
            const std::string line = escapeForLog(redact(message + " " + description), 300);
            requireThat(line.find('\x1b') == std::string::npos, "escaped error text has no ESC");
            return;
        }
        readTyped(kind, *obj);
    } catch (const d::UnreadableReply&) {
    } catch (const d::MismatchedReply&) {
    }
}

} // namespace certagent::fuzz
