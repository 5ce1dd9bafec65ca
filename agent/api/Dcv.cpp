#include "api/Json.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>

namespace certagent::api::detail {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

struct Token {
    std::string text;
    std::size_t end = 0; ///< offset just past the token in the record
};

std::vector<Token> tokens(const std::string& s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
            ++i;
        }
        const std::size_t b = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
            ++i;
        }
        if (i > b) {
            out.push_back({s.substr(b, i - b), i});
        }
    }
    return out;
}

DcvInfo fileDcv(const std::string& method, const Var& inner, const std::string& where) {
    if (!isObject(inner)) {
        throw UnreadableReply(where + "." + method + ": not an object");
    }
    Reader r(*inner.extract<Object::Ptr>(), where + "." + method);
    DcvInfo d;
    d.method = method;
    d.link = r.optStr("link");
    d.fileName = r.str("filename");
    d.content = r.str("content");
    return d;
}

DcvInfo dnsDcv(const Var& inner, const std::string& where) {
    DcvInfo d;
    d.method = "dns";
    if (inner.isString()) {
        d.dnsRecord = inner.extract<std::string>();
        checkString(d.dnsRecord, where + ".dns");
    } else if (isObject(inner)) {
        d.dnsRecord = Reader(*inner.extract<Object::Ptr>(), where + ".dns").str("record");
    } else {
        throw UnreadableReply(where + ".dns: not an object");
    }
    splitDnsRecord(d);
    return d;
}

} // namespace

void splitDnsRecord(DcvInfo& d) {
    const std::vector<Token> t = tokens(d.dnsRecord);
    if (t.size() == 3 && Poco::toUpper(t[1].text) == "CNAME") {
        d.dnsName = t[0].text;
        d.dnsType = "CNAME";
        d.dnsTarget = t[2].text;
        return;
    }
    std::size_t txtAt = 0;
    if (t.size() >= 3 && Poco::toUpper(t[1].text) == "TXT") {
        txtAt = 1;
    } else if (t.size() >= 4 && Poco::toUpper(t[1].text) == "IN" &&
               Poco::toUpper(t[2].text) == "TXT") {
        txtAt = 2;
    }
    if (txtAt == 0) {
        return; // unsplit: the caller refuses a record it cannot use
    }
    std::string value = Poco::trim(d.dnsRecord.substr(t[txtAt].end));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    d.dnsName = t[0].text;
    d.dnsType = "TXT";
    d.dnsTarget = value;
}

DcvInfo parseDcv(const Var& value, const std::string& preferred, const std::string& where) {
    if (value.isEmpty()) {
        return {};
    }
    if (value.isString()) {
        DcvInfo d;
        const std::string& s = value.extract<std::string>();
        checkString(s, where);
        if (!s.empty()) {
            d.method = "email";
            d.email = s;
        }
        return d;
    }
    if (isArray(value) && value.extract<Array::Ptr>()->size() == 0) {
        return {};
    }
    if (!isObject(value)) {
        throw UnreadableReply(where + ": not an object");
    }
    const Object& obj = *value.extract<Object::Ptr>();
    if (obj.size() == 0) {
        return {};
    }
    std::string method;
    if (!preferred.empty() && obj.has(preferred)) {
        method = preferred;
    } else if (obj.size() == 1) {
        method = obj.begin()->first;
    } else {
        throw UnreadableReply(where + ": several DCV methods and none matches \"" +
                              escapeForLog(preferred, 16) + "\"");
    }
    const Var inner = obj.get(method);
    if (method == "http" || method == "https") {
        return fileDcv(method, inner, where);
    }
    if (method == "dns") {
        return dnsDcv(inner, where);
    }
    DcvInfo d;
    if (method == "email") {
        d.method = "email";
        if (!inner.isEmpty()) {
            if (!inner.isString()) {
                throw UnreadableReply(where + ".email: not a string");
            }
            d.email = inner.extract<std::string>();
            checkString(d.email, where + ".email");
        }
        return d;
    }
    const bool plainName = method.size() <= 20 &&
                           std::all_of(method.begin(), method.end(),
                                       [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (!plainName) {
        throw UnreadableReply(where + ": unknown DCV method \"" + escapeForLog(method, 24) + "\"");
    }
    d.method = method; // unknown but plain: the caller refuses a method it did not configure
    return d;
}

std::vector<SanItem> parseSanList(const Var& value, const std::string& where) {
    std::vector<Var> items;
    if (value.isEmpty() || (value.isString() && value.extract<std::string>().empty())) {
        return {};
    }
    if (isArray(value)) {
        const Array& a = *value.extract<Array::Ptr>();
        for (std::size_t i = 0; i < a.size(); ++i) {
            items.push_back(a.get(static_cast<unsigned>(i)));
        }
    } else if (isObject(value)) { // a PHP array with non-sequential keys
        for (const auto& member : *value.extract<Object::Ptr>()) {
            items.push_back(member.second);
        }
    } else {
        throw UnreadableReply(where + ": not an array");
    }
    std::vector<SanItem> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!isObject(items[i])) {
            throw UnreadableReply(at + ": not an object");
        }
        Reader r(*items[i].extract<Object::Ptr>(), at);
        SanItem s;
        s.name = r.str("san_name");
        s.method = r.optStr("validation_method");
        s.status = r.smallInt("status");
        s.statusDescription = r.optStr("status_description");
        s.validation = parseDcv(r.get("validation"), s.method, at + ".validation");
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace certagent::api::detail
