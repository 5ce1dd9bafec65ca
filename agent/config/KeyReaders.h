#pragma once

// The readers a key-table row uses to turn one value's text into a struct member (see
// KeyTable.h). Each checks the text, fails naming file, line and key, and stores through an
// accessor: at(&Config::storeDir), at(&Config::api, &ApiSettings::timeout), or
// inFamily(&Config::acme, &AcmeSettings::directory) for a section family [acme-NAME].

#include "config/IniFile.h"
#include "util/Duration.h"
#include "util/Error.h"
#include "util/Secret.h"

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace certagent::config {

/// Where one key is read: the section as written ("acme-le"), the family NAME ("le", or ""), the
/// key, and the absolute directory relative paths are resolved against.
struct Place {
    std::string section;
    std::string instance;
    std::string key;
    std::string baseDir;
};

/// One value handed to a reader: its text (from the file, or the row's default) and its place.
struct Field {
    const IniFile& file;
    const Place& place;
    const std::string& value;
    bool fromFile; ///< false: the row's default

    /// "FILE:LINE: [section] key" ("FILE: key" for a default): the prefix of every message.
    std::string what() const;
    /// The value in quotes, escaped for a message.
    std::string quoted() const;
    /// Throws ConfigError "what(): message" (`message` must already be escaped).
    [[noreturn]] void fail(const std::string& message) const;
};

/// How a row stores one value into the struct T.
template <class T> using Reader = std::function<void(T&, const Field&)>;

// ---- accessors: where in the struct a value goes ----

/// The member `m` of the target.
template <class T, class V> auto at(V T::*m) {
    return [m](T& t, const Field&) -> V& { return t.*m; };
}
/// The member `inner` of the target's member `outer` (`&Config::api, &ApiSettings::url`).
template <class T, class U, class V> auto at(U T::*outer, V U::*inner) {
    return [outer, inner](T& t, const Field&) -> V& { return (t.*outer).*inner; };
}
/// The member `m` of the entry for the family NAME in the target's map `family` (a row in
/// section "acme-*" reading [acme-le] stores into target.*family["le"].*m).
template <class T, class Map, class M, class V> auto inFamily(Map T::*family, V M::*m) {
    static_assert(std::is_same_v<typename Map::mapped_type, M>, "member of the map's entries");
    return [family, m](T& t, const Field& f) -> V& { return (t.*family)[f.place.instance].*m; };
}

// ---- checks on the text, shared by the readers (KeyReaders.cpp) ----

/// Relative to the config directory; empty stays empty.
std::string pathValue(const Field& f);
/// Must start with '/' and contain no "/../": "must be an absolute path: \"x\"".
std::string absolutePathValue(const Field& f);
/// Must start with https://.
std::string httpsUrlValue(const Field& f);
/// "90s", "15m", "2h", "30d".
Seconds durationValue(const Field& f);
/// A whole number of at most 12 digits within [min, max].
long long intValue(const Field& f, long long min, long long max);
/// One of `allowed`: "expected a | b, not \"x\"".
std::string oneOfValue(const Field& f, const std::vector<std::string>& allowed);
/// yes/no (also true/false, on/off, 1/0, empty = no).
bool flagValue(const Field& f);
/// No control characters.
std::string printableValue(const Field& f);
/// Comma-separated DNS names, lower-cased; no IP addresses, no duplicates, at most `max`; `each`
/// may refuse a name (by calling f.fail).
std::vector<std::string> namesValue(const Field& f, std::size_t max,
                                    const std::function<void(const std::string&)>& each);
/// The key must be one of contactKeys(): "unknown contact field".
void checkContactKey(const Field& f);

// ---- readers, one per type of value ----

/// Text as written.
template <class Acc> auto text(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = f.value; };
}
/// Text without control characters.
template <class Acc> auto printable(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = printableValue(f); };
}
/// A path, relative to the config directory.
template <class Acc> auto path(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = pathValue(f); };
}
/// An absolute path.
template <class Acc> auto absolutePath(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = absolutePathValue(f); };
}
/// An https:// URL.
template <class Acc> auto httpsUrl(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = httpsUrlValue(f); };
}
/// A duration.
template <class Acc> auto duration(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = durationValue(f); };
}
/// A whole number in [min, max], stored in the member's own integer type.
template <class Acc> auto intRange(long long min, long long max, Acc acc) {
    return [min, max, acc](auto& t, const Field& f) {
        auto& member = acc(t, f);
        member = static_cast<std::remove_reference_t<decltype(member)>>(intValue(f, min, max));
    };
}
/// One word of a fixed list.
template <class Acc> auto oneOf(std::vector<std::string> allowed, Acc acc) {
    return [allowed, acc](auto& t, const Field& f) { acc(t, f) = oneOfValue(f, allowed); };
}
/// One of the words of `table`, stored as its enum value (the words are the only text form).
template <class E, class Acc> auto enumOf(std::vector<std::pair<std::string, E>> table, Acc acc) {
    return [table, acc](auto& t, const Field& f) {
        std::vector<std::string> words;
        for (const auto& [word, value] : table)
            words.push_back(word);
        const std::string word = oneOfValue(f, words);
        for (const auto& [w, value] : table)
            if (w == word)
                acc(t, f) = value;
    };
}
/// A yes/no flag.
template <class Acc> auto flag(Acc acc) {
    return [acc](auto& t, const Field& f) { acc(t, f) = flagValue(f); };
}
/// A secret, into a shared Secret (the text never sits in a plain string of the struct).
template <class Acc> auto secret(Acc acc) {
    return [acc](auto& t, const Field& f) {
        acc(t, f) = std::make_shared<Secret>(std::string(f.value));
    };
}
/// A list of DNS names; `each(target, field, name)` may refuse a name given what earlier rows read.
template <class Acc, class Each> auto names(std::size_t max, Acc acc, Each each) {
    return [max, acc, each](auto& t, const Field& f) {
        acc(t, f) = namesValue(f, max, [&](const std::string& name) { each(t, f, name); });
    };
}
/// One contact field into a Contact map (the key names the field).
template <class Acc> auto contactField(Acc acc) {
    return [acc](auto& t, const Field& f) {
        checkContactKey(f);
        acc(t, f)[f.place.key] = printableValue(f);
    };
}

/// "backend = gogetssl" / "dcv = http or https", for messages.
std::string describe(const std::string& key, const std::vector<std::string>& values);

} // namespace certagent::config
