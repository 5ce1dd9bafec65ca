#pragma once

// The config key table (like ccache's): one row per key names its section, how its text is read
// into the struct, its default and the rules that tie it to other keys. The same rows drive the
// unknown-section/unknown-key check and the reading, so the two cannot drift apart.
//
// Adding a key is one row, e.g. in MainFile.cpp:
//   Row("hooks", "dns_wait", duration(at(&Config::dnsWait))).byDefault("60s"),
// or, for a key that only one backend understands, in CertFile.cpp:
//   Row("", "webserver_type", intRange(-1, 99, at(&CertConfig::webserverType)))
//       .onlyFor(keyIs<CertConfig>("backend", {"gogetssl"}, [](auto& c) { return c.backend; })),
// A section family `[acme-NAME]` is the section "acme-*"; its reader reaches the entry for NAME
// with inFamily(&Config::acme, &AcmeSettings::directory). Rules (onlyFor, requiredFor, unless)
// test the struct as earlier rows left it, so order rows so that a key comes after the keys its
// rule names; a per-certificate default inherited from certagent.conf (like [contact], or a
// future [ca] backend) is put into the struct before readKeys, and the row then has no default.

#include "config/IniFile.h"
#include "config/KeyReaders.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certagent::config {

/// A fact about what earlier rows (or certagent.conf's defaults) put into the struct, tested by a
/// row's rule: "dcv is http or https", "order_id is set".
template <class T> struct Condition {
    std::string key;                 ///< the other key, for messages ("dcv")
    std::vector<std::string> values; ///< holds if current() is one of these; empty: if it is set
    std::function<std::string(const T&)> current; ///< its value as text; "" = not set

    bool holds(const T& target) const {
        std::string now = current(target);
        if (values.empty())
            return !now.empty();
        for (const auto& v : values)
            if (v == now)
                return true;
        return false;
    }
};

/// Condition: `key` (read by `current`) is one of `values` (empty list: is set at all).
template <class T>
Condition<T> keyIs(std::string key, std::vector<std::string> values,
                   std::function<std::string(const T&)> current) {
    return Condition<T>{std::move(key), std::move(values), std::move(current)};
}

/// What the table knows about a row without its struct type (for the unknown-key check).
struct KeySpec {
    std::string section;            ///< "api"; "acme-*" = every [acme-NAME]; "" = no section
    std::vector<std::string> names; ///< usually one; "*" = any key of the section (reader decides)
};

/// One row of a key table for struct T. Rows are read in table order, so a rule or reader may
/// look at what earlier rows stored.
template <class T> struct KeyRow : KeySpec {
    Reader<T> read;
    std::optional<std::string> defaultText;   ///< read as if written when the key is absent
    bool emptyIsUnset = false;                ///< `key =` counts as absent
    bool required = false;                    ///< absent → "FILE: key: missing"
    std::optional<Condition<T>> requiredWhen; ///< absent while it holds → "required for dcv = http"
    std::optional<Condition<T>> requiredUnless; ///< absent unless it holds → "a or b: one of them…"
    std::optional<Condition<T>> onlyWhen; ///< present while it fails → "only for backend = x"

    KeyRow(std::string inSection, std::string name, Reader<T> reader)
        : KeySpec{std::move(inSection), {std::move(name)}}, read(std::move(reader)) {}
    KeyRow(std::string inSection, std::vector<std::string> keyNames, Reader<T> reader)
        : KeySpec{std::move(inSection), std::move(keyNames)}, read(std::move(reader)) {}

    // Builders for one row: Row(...).byDefault("30s").emptyMeansUnset()
    KeyRow byDefault(std::string text) && {
        defaultText = std::move(text);
        return std::move(*this);
    }
    KeyRow emptyMeansUnset() && {
        emptyIsUnset = true;
        return std::move(*this);
    }
    KeyRow isRequired() && {
        required = true;
        return std::move(*this);
    }
    KeyRow requiredFor(Condition<T> c) && {
        requiredWhen = std::move(c);
        return std::move(*this);
    }
    KeyRow unless(Condition<T> c) && {
        requiredUnless = std::move(c);
        return std::move(*this);
    }
    KeyRow onlyFor(Condition<T> c) && {
        onlyWhen = std::move(c);
        return std::move(*this);
    }
};

/// How a file treats section headers.
enum class Headers {
    Sections, ///< every key is in a section the table names (certagent.conf)
    Refused,  ///< no sections: a header is an error (certs.d files)
    Ignored,  ///< no sections: a bare header is tolerated, a key under it is unknown (credentials)
};

/// The rows of one kind of file.
template <class T> struct KeyTable {
    Headers headers = Headers::Sections;
    std::string kind; ///< "certificate files", for "unexpected section … (… have no sections)"
    std::vector<KeyRow<T>> rows;
};

/// Throws ConfigError for the first section header or key of `file` that no spec names:
/// "FILE: unknown section [x]", "FILE:LINE: unknown key \"k\" in [s]", "FILE:LINE: unknown key
/// \"k\"", "FILE:LINE: key \"k\" outside a section", "FILE: unexpected section [x] (KIND have no
/// sections)".
void checkKnown(const IniFile& file, Headers headers, const std::string& kind,
                const std::vector<const KeySpec*>& specs);

/// The sections of `file` that `spec` ("api", "acme-*") names, each with its family NAME ("" for
/// a plain section). A plain section is returned even when absent (its defaults still apply).
std::vector<std::pair<std::string, std::string>> sectionsFor(const IniFile& file,
                                                             const std::string& spec);

/// The key names `row` stands for in `section`: its names, or for "*" every key of the section.
std::vector<std::string> namesFor(const IniFile& file, const KeySpec& row,
                                  const std::string& section);

namespace detail {

/// Applies one row to one key of one section (rules, then the reader on the file's text or the
/// default).
template <class T>
void applyRow(const KeyRow<T>& row, const IniFile& file, const Place& place, T& target) {
    const IniEntry* entry = file.find(place.section, place.key);
    bool present = entry && !(row.emptyIsUnset && entry->value.empty());
    if (present) {
        if (row.onlyWhen && !row.onlyWhen->holds(target))
            file.fail(place.section, place.key,
                      "only for " + describe(row.onlyWhen->key, row.onlyWhen->values));
        row.read(target, Field{file, place, entry->value, true});
    } else if (row.defaultText) {
        row.read(target, Field{file, place, *row.defaultText, false});
    } else if (row.required) {
        throw ConfigError(file.display() + ": " + keyLabel(place.section, place.key) + ": missing");
    } else if (row.requiredWhen && row.requiredWhen->holds(target)) {
        file.fail(place.section, place.key,
                  "required for " + row.requiredWhen->key + " = " +
                      row.requiredWhen->current(target));
    } else if (row.requiredUnless && !row.requiredUnless->holds(target)) {
        throw ConfigError(file.display() + ": " + row.requiredUnless->key + " or " + place.key +
                          ": one of them must be set");
    }
}

} // namespace detail

/// Checks `file` against `table` (unknown sections and keys) and reads every row, in table order,
/// into `target`. `baseDir` is the absolute directory relative paths are resolved against.
/// Throws ConfigError naming the file, line and key.
template <class T>
void readKeys(const IniFile& file, const KeyTable<T>& table, T& target,
              const std::string& baseDir) {
    std::vector<const KeySpec*> specs;
    for (const auto& row : table.rows)
        specs.push_back(&row);
    checkKnown(file, table.headers, table.kind, specs);
    for (const auto& row : table.rows)
        for (const auto& [section, instance] : sectionsFor(file, row.section))
            for (const auto& key : namesFor(file, row, section))
                detail::applyRow(row, file, Place{section, instance, key, baseDir}, target);
}

} // namespace certagent::config
