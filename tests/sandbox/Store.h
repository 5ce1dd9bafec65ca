#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace certagent::sandbox {

/// One additional name of an order and how it is validated ("http", "https", "dns" or an
/// approver e-mail address).
struct SanItem {
    std::string name;
    std::string method;
};

struct Order {
    std::string id;
    std::string status; ///< processing | reissue | active | cancelled | expired
    std::string productId;
    std::string period;
    std::string serverCount;
    std::string webserverType;
    std::string csr;
    std::string domain; ///< CN of the CSR
    std::string dcvMethod;
    std::string approverEmail;
    std::vector<SanItem> sans;
    std::string unique; ///< DCV unique value
    std::string crt;
    std::string ca;
    std::string validFrom = "0000-00-00";
    std::string validTill = "0000-00-00";
    std::string beginDate;
    std::string endDate;
    long createdAt = 0;
    long readyAt = 0; ///< unix time from which the order may be issued (issue delay)
    bool renew = false;
    int reissues = 0;
    std::map<std::string, std::string> contacts; ///< admin_*, tech_*, org_* as submitted
};

/// Orders and auth keys, persisted incrementally so that thousands of orders stay cheap: one
/// JSON file per order (dataDir/orders/ID.json) and one for the keys (dataDir/keys.json), each
/// written atomically when it changes. The id counter is the highest stored id + 1 (ids are never
/// reused: cancelled orders stay). Not thread-safe: the server holds its own lock.
class Store {
  public:
    /// Loads the orders and keys under dataDir if present. Throws std::runtime_error naming the
    /// file if one does not parse.
    explicit Store(const std::string& dataDir);

    Order* find(const std::string& id);
    std::vector<Order*> all();
    /// Assigns the next id, stores a copy and writes it; returns it.
    Order& add(Order order);
    /// Writes one order's file (after a change to it). Throws on a filesystem failure.
    void save(const Order& order) const;

    /// A new auth key, written to keys.json.
    std::string newAuthKey();
    bool validKey(const std::string& key) const { return m_keys.count(key) > 0; }
    /// Every key becomes invalid (written to keys.json).
    void invalidateKeys();

  private:
    void saveKeys() const;

    std::string m_ordersDir;
    std::string m_keysPath;
    long m_nextId = 1840217;
    std::map<std::string, Order> m_orders;
    std::set<std::string> m_keys;
};

/// Random lower-case letters and digits.
std::string randomAlnum(size_t length);

} // namespace certagent::sandbox
