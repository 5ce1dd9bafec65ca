#include "util/Json.h"

#include "util/Text.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

namespace certagent {

JsonObjectText parseJsonObject(const std::string& text, std::size_t maxDepth) {
    JsonObjectText out;
    if (!isValidUtf8(text)) {
        out.problem = "not UTF-8 text or contains NUL";
        return out;
    }
    Poco::Dynamic::Var v;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(maxDepth);
        parser.setAllowNullByte(false);
        v = parser.parse(text);
    } catch (const Poco::Exception& e) {
        out.problem = "not JSON (" + escapeForLog(e.displayText(), 120) + ")";
        return out;
    }
    if (!isJsonObject(v)) {
        out.problem = "not a JSON object";
        return out;
    }
    out.object = v.extract<Poco::JSON::Object::Ptr>();
    return out;
}

bool isJsonObject(const Poco::Dynamic::Var& value) {
    return value.type() == typeid(Poco::JSON::Object::Ptr) &&
           !value.extract<Poco::JSON::Object::Ptr>().isNull();
}

} // namespace certagent
