#pragma once

// Which `webserver_type` an order carries (reference §5.2). The API keeps one list of server
// software per brand family and likely refuses an id from the other list; GoGetSSL's own WHMCS
// module always sends the "OTHER" entry of the product's list.

#include <optional>
#include <string>

namespace certagent::api {

/// "OTHER" of list 1 (Sectigo/Comodo/GoGetSSL brands).
constexpr int kWebserverOtherSectigo = -1;
/// "OTHER" of list 2 (GeoTrust, RapidSSL, DigiCert, Thawte, Symantec brands).
constexpr int kWebserverOtherDigicert = 18;

/// The webserver_type for a product brand as getProductDetails names it (`product_brand`, any
/// case; a suffix after "_" such as "comodo_ggssl" keeps the family): -1 for comodo, sectigo,
/// gogetssl, ggssl; 18 for geotrust, rapidssl, digicert, thawte, symantec; nullopt otherwise.
std::optional<int> webserverTypeForBrand(const std::string& brand);

} // namespace certagent::api
