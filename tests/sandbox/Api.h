#pragma once

#include "Authority.h"
#include "Config.h"
#include "Faults.h"
#include "Store.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>

#include <stdexcept>
#include <string>

namespace certagent::sandbox {

/// A business error: becomes HTTP 200 {"error":true,"message":...,"description":...}.
struct ApiError : std::runtime_error {
    ApiError(const std::string& message, std::string descriptionText)
        : std::runtime_error(message), description(std::move(descriptionText)) {}
    std::string description;
};

using Params = Poco::Net::NameValueCollection;
using JsonPtr = Poco::JSON::Object::Ptr;

/// A new JSON object that keeps members in insertion order (as PHP's json_encode does).
inline JsonPtr obj() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

/// The named form/query parameter; throws the API's "Required parameter missing" when absent.
inline std::string required(const Params& p, const std::string& name) {
    std::string value = p.get(name, "");
    if (value.empty())
        throw ApiError("Required parameter missing", "Parameter " + name + " is required");
    return value;
}

/// A product of the sandbox's catalogue; the brand decides which webserver_type list applies.
struct Product {
    const char* id;
    const char* name;
    const char* brand;
};

/// Products with fixed ids, one per brand family the agent must tell apart.
inline constexpr Product kProducts[] = {
    {"65", "Sandbox PositiveSSL DV", "comodo"},
    {"66", "Sandbox GoGetSSL Domain SSL", "comodo_ggssl"},
    {"41", "Sandbox RapidSSL Standard", "rapidssl"},
    {"42", "Sandbox GeoTrust QuickSSL Premium", "geotrust"},
    {"43", "Sandbox DigiCert Secure Site", "digicert"},
    {"44", "Sandbox Thawte SSL123", "thawte"},
};

/// The product with that id; any other numeric id is a Sectigo DV product (brand "comodo").
Product productById(const std::string& id);

/// The GoGetSSL v1 methods over the Store. The caller serialises calls (one lock).
class Api {
  public:
    Api(const Config& config, Store& store, const Authority& authority, Faults& faults);

    /// Runs `method` (e.g. "getOrderStatus"); `id` is the path id segment ("" if none).
    /// Returns the success body; throws ApiError for an error envelope.
    JsonPtr call(const std::string& method, const std::string& id, const Params& params);

    /// Admin: forces a status; "active" issues a certificate when none exists.
    void advance(const std::string& id, const std::string& status);

  private:
    JsonPtr auth(const Params& p);
    JsonPtr addOrder(const Params& p, bool renew);
    JsonPtr reissue(const std::string& id, const Params& p);
    JsonPtr orderStatus(const std::string& id);
    JsonPtr ordersStatus(const Params& p);
    JsonPtr changeMethod(const std::string& id, const std::string& domain,
                         const std::string& method);
    JsonPtr revalidate(const std::string& id, const Params& p);
    JsonPtr resendEmail(const std::string& id);
    JsonPtr cancel(const Params& p);
    JsonPtr allOrders(const Params& p);
    JsonPtr domainEmails(const Params& p);
    JsonPtr decodeCsr(const Params& p);
    JsonPtr balance();
    JsonPtr productDetails(const std::string& id);
    JsonPtr products();

    Order& order(const std::string& id);
    /// Moves a processing/reissue order to active when its DCV passes (see Config).
    void progress(Order& o);
    bool dcvPasses(const Order& o);
    void issue(Order& o);
    JsonPtr statusJson(const Order& o);
    Poco::JSON::Array::Ptr sanJson(const Order& o);
    JsonPtr primaryMethodJson(const Order& o);
    JsonPtr methodJson(const Order& o, const std::string& name, const std::string& method,
                       bool hostile);

    const Config& m_config;
    Store& m_store;
    const Authority& m_authority;
    Faults& m_faults;
};

} // namespace certagent::sandbox
