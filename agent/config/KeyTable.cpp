#include "config/KeyTable.h"

#include "util/CertName.h"
#include "util/Text.h"

#include <algorithm>
#include <set>

namespace certagent::config {

namespace {

bool isFamily(const std::string& spec) {
    return spec.size() > 2 && spec.compare(spec.size() - 2, 2, "-*") == 0;
}

/// True if `section` is `spec` itself, or a member "PREFIX-NAME" of the family "PREFIX-*" (NAME
/// follows the certificate-name rule); `instance` gets NAME.
bool sectionMatches(const std::string& spec, const std::string& section, std::string& instance) {
    instance.clear();
    if (!isFamily(spec))
        return spec == section;
    std::string prefix = spec.substr(0, spec.size() - 1);
    if (section.compare(0, prefix.size(), prefix) != 0)
        return false;
    instance = section.substr(prefix.size());
    return isValidCertName(instance);
}

bool sectionKnown(const std::vector<const KeySpec*>& specs, const std::string& section) {
    std::string instance;
    for (const KeySpec* spec : specs)
        if (!spec->section.empty() && sectionMatches(spec->section, section, instance))
            return true;
    return false;
}

bool keyKnown(const std::vector<const KeySpec*>& specs, const IniEntry& entry) {
    std::string instance;
    for (const KeySpec* spec : specs) {
        if (!sectionMatches(spec->section, entry.section, instance))
            continue;
        for (const auto& name : spec->names)
            if (name == "*" || name == entry.key)
                return true;
    }
    return false;
}

std::string unknownKey(const IniFile& file, Headers headers, const IniEntry& entry) {
    std::string at = file.display() + ":" + std::to_string(entry.line) + ": ";
    std::string key = "\"" + escapeForLog(entry.key, 80) + "\"";
    if (headers == Headers::Sections && entry.section.empty())
        return at + "key " + key + " outside a section";
    if (headers != Headers::Sections || entry.section.empty())
        return at + "unknown key " + key;
    return at + "unknown key " + key + " in [" + escapeForLog(entry.section, 80) + "]";
}

} // namespace

void checkKnown(const IniFile& file, Headers headers, const std::string& kind,
                const std::vector<const KeySpec*>& specs) {
    for (const auto& section : file.sections()) {
        if (headers == Headers::Ignored || sectionKnown(specs, section))
            continue;
        std::string name = "[" + escapeForLog(section, 80) + "]";
        if (headers == Headers::Refused)
            throw ConfigError(file.display() + ": unexpected section " + name + " (" + kind +
                              " have no sections)");
        throw ConfigError(file.display() + ": unknown section " + name);
    }
    for (const auto& entry : file.entries())
        if (!keyKnown(specs, entry))
            throw ConfigError(unknownKey(file, headers, entry));
}

std::vector<std::pair<std::string, std::string>> sectionsFor(const IniFile& file,
                                                             const std::string& spec) {
    if (!isFamily(spec))
        return {{spec, ""}};
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> seen; // a header may appear twice; its keys are read once
    std::string instance;
    for (const auto& section : file.sections())
        if (sectionMatches(spec, section, instance) && seen.insert(section).second)
            out.emplace_back(section, instance);
    return out;
}

std::vector<std::string> namesFor(const IniFile& file, const KeySpec& row,
                                  const std::string& section) {
    if (std::find(row.names.begin(), row.names.end(), "*") == row.names.end())
        return row.names;
    std::vector<std::string> keys;
    for (const auto& entry : file.entries())
        if (entry.section == section)
            keys.push_back(entry.key);
    return keys;
}

} // namespace certagent::config
