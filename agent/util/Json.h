#pragma once

// Reading one JSON object from text that may come from anywhere (a CA, etcd, our own store):
// one parser setup and one set of refusals, so every layer refuses the same things. Each layer
// keeps its own error type and prefix; this only says what is wrong.

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <string>

namespace certagent {

/// The outcome of parseJsonObject: `object` set, or `problem` one escaped line saying why not.
struct JsonObjectText {
    Poco::JSON::Object::Ptr object;
    /// "not UTF-8 text or contains NUL", "not JSON (<parser's words>)" or "not a JSON object".
    std::string problem;
};

/// Parses `text` as one JSON object: valid UTF-8 without NUL, nesting at most `maxDepth`.
JsonObjectText parseJsonObject(const std::string& text, std::size_t maxDepth);

/// True if `value` holds a JSON object (Poco::JSON::Object::Ptr, not null).
bool isJsonObject(const Poco::Dynamic::Var& value);

} // namespace certagent
