#include "Store.h"

#include "TestEnv.h"
#include "util/FileIo.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <openssl/rand.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace certagent::sandbox {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr toJson(const Order& o) {
    Object::Ptr j = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    j->set("id", o.id);
    j->set("status", o.status);
    j->set("product_id", o.productId);
    j->set("period", o.period);
    j->set("server_count", o.serverCount);
    j->set("webserver_type", o.webserverType);
    j->set("csr", o.csr);
    j->set("domain", o.domain);
    j->set("dcv_method", o.dcvMethod);
    j->set("approver_email", o.approverEmail);
    Array::Ptr sans = new Array;
    for (const auto& s : o.sans) {
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("name", s.name);
        item->set("method", s.method);
        sans->add(item);
    }
    j->set("sans", sans);
    j->set("unique", o.unique);
    j->set("crt", o.crt);
    j->set("ca", o.ca);
    j->set("valid_from", o.validFrom);
    j->set("valid_till", o.validTill);
    j->set("begin_date", o.beginDate);
    j->set("end_date", o.endDate);
    j->set("created_at", o.createdAt);
    j->set("ready_at", o.readyAt);
    j->set("renew", o.renew);
    j->set("reissues", o.reissues);
    Object::Ptr contacts = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : o.contacts)
        contacts->set(k, v);
    j->set("contacts", contacts);
    return j;
}

Order fromJson(const Object::Ptr& j) {
    Order o;
    o.id = j->getValue<std::string>("id");
    o.status = j->getValue<std::string>("status");
    o.productId = j->getValue<std::string>("product_id");
    o.period = j->getValue<std::string>("period");
    o.serverCount = j->getValue<std::string>("server_count");
    o.webserverType = j->getValue<std::string>("webserver_type");
    o.csr = j->getValue<std::string>("csr");
    o.domain = j->getValue<std::string>("domain");
    o.dcvMethod = j->getValue<std::string>("dcv_method");
    o.approverEmail = j->getValue<std::string>("approver_email");
    Array::Ptr sans = j->getArray("sans");
    for (size_t i = 0; sans && i < sans->size(); ++i) {
        Object::Ptr item = sans->getObject(static_cast<unsigned>(i));
        o.sans.push_back(
            {item->getValue<std::string>("name"), item->getValue<std::string>("method")});
    }
    o.unique = j->getValue<std::string>("unique");
    o.crt = j->getValue<std::string>("crt");
    o.ca = j->getValue<std::string>("ca");
    o.validFrom = j->getValue<std::string>("valid_from");
    o.validTill = j->getValue<std::string>("valid_till");
    o.beginDate = j->getValue<std::string>("begin_date");
    o.endDate = j->getValue<std::string>("end_date");
    o.createdAt = j->getValue<long>("created_at");
    o.readyAt = j->getValue<long>("ready_at");
    o.renew = j->getValue<bool>("renew");
    o.reissues = j->getValue<int>("reissues");
    Object::Ptr contacts = j->getObject("contacts");
    if (contacts)
        for (const auto& name : contacts->getNames())
            o.contacts[name] = contacts->getValue<std::string>(name);
    return o;
}

/// Runs `read` on the parsed JSON of `path`; a file that does not parse or lacks a field throws
/// std::runtime_error naming it.
template <typename Read> void readJsonFile(const std::string& path, Read read) {
    try {
        Poco::JSON::Parser parser;
        read(parser.parse(test::readFile(path)));
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(path + ": " + e.displayText());
    } catch (const std::logic_error& e) { // std::stol of a bad id
        throw std::runtime_error(path + ": " + e.what());
    }
}

} // namespace

std::string randomAlnum(size_t length) {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    while (out.size() < length) {
        unsigned char b = 0;
        if (RAND_bytes(&b, 1) != 1)
            throw std::runtime_error("RAND_bytes failed");
        if (b < 252) // 252 = 7 * 36, keeps the distribution uniform
            out += kChars[b % 36];
    }
    return out;
}

Store::Store(const std::string& dataDir)
    : m_ordersDir(dataDir + "/orders"), m_keysPath(dataDir + "/keys.json") {
    Poco::File(m_ordersDir).createDirectories();
    if (test::exists(m_keysPath))
        readJsonFile(m_keysPath, [&](const Poco::Dynamic::Var& json) {
            Array::Ptr keys = json.extract<Array::Ptr>();
            for (size_t i = 0; i < keys->size(); ++i)
                m_keys.insert(keys->getElement<std::string>(static_cast<unsigned>(i)));
        });
    for (Poco::DirectoryIterator it(m_ordersDir), end; it != end; ++it) {
        const std::string& file = it.name();
        // Skips leftover temp files ("ID.json.tmp-XXXXXX") of a write cut short.
        if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0)
            continue;
        readJsonFile(it.path().toString(), [&](const Poco::Dynamic::Var& json) {
            Order o = fromJson(json.extract<Object::Ptr>());
            m_nextId = std::max(m_nextId, std::stol(o.id) + 1);
            m_orders[o.id] = std::move(o);
        });
    }
}

Order* Store::find(const std::string& id) {
    auto it = m_orders.find(id);
    return it == m_orders.end() ? nullptr : &it->second;
}

std::vector<Order*> Store::all() {
    std::vector<Order*> out;
    for (auto& [id, o] : m_orders)
        out.push_back(&o);
    return out;
}

Order& Store::add(Order order) {
    order.id = std::to_string(m_nextId++);
    auto& stored = m_orders[order.id];
    stored = std::move(order);
    save(stored);
    return stored;
}

std::string Store::newAuthKey() {
    std::string key = randomAlnum(32);
    m_keys.insert(key);
    saveKeys();
    return key;
}

void Store::invalidateKeys() {
    m_keys.clear();
    saveKeys();
}

void Store::save(const Order& order) const {
    std::ostringstream out;
    toJson(order)->stringify(out);
    writeFileAtomic(m_ordersDir + "/" + order.id + ".json", out.str(), 0600);
}

void Store::saveKeys() const {
    Array keys;
    for (const auto& k : m_keys)
        keys.add(k);
    std::ostringstream out;
    keys.stringify(out);
    writeFileAtomic(m_keysPath, out.str(), 0600);
}

} // namespace certagent::sandbox
