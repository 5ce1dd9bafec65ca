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

/// Orders, auth keys and the id counter, persisted as one JSON file (state.json) in the data dir
/// (written to a temp file and renamed). Not thread-safe: the server holds its own lock.
class Store {
  public:
    /// Loads dataDir/state.json if present. Throws std::runtime_error if it does not parse.
    explicit Store(const std::string& dataDir);

    Order* find(const std::string& id);
    std::vector<Order*> all();
    /// Assigns the next id and stores a copy; returns it.
    Order& add(Order order);
    /// Writes everything to disk.
    void save() const;

    std::string newAuthKey();
    bool validKey(const std::string& key) const { return m_keys.count(key) > 0; }
    void invalidateKeys() { m_keys.clear(); }

  private:
    std::string m_path;
    long m_nextId = 1840217;
    std::map<std::string, Order> m_orders;
    std::set<std::string> m_keys;
};

/// Random lower-case letters and digits.
std::string randomAlnum(size_t length);

} // namespace certagent::sandbox
