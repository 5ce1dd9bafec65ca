// Store: state files, pending keys and the list of names (versions are in Store.cpp).
#include "store/JsonFields.h"
#include "store/Store.h"
#include "store/StoreDetail.h"
#include "util/Error.h"
#include "util/FileIo.h"

#include <cerrno>
#include <set>
#include <unistd.h>

namespace certagent::store {

namespace {
constexpr size_t kMaxKeyBytes = 64 * 1024;
}

std::string Store::statePath(const std::string& name) const {
    return m_dir + "/state/" + name + ".json";
}

std::string Store::pendingKeyPath(const std::string& name) const {
    checkName(name);
    return m_dir + "/pending/" + name + "/privkey.pem";
}

std::optional<std::string> Store::readState(const std::string& name) const {
    checkName(name);
    const std::string path = statePath(name);
    std::optional<std::string> text;
    try {
        text = readFileCapped(path, detail::kMaxJsonBytes);
        if (!text) {
            return std::nullopt;
        }
        json::parseObject(*text, path);
        return text;
    } catch (const Error& e) {
        const std::string why = text && text->empty() ? "empty" : e.what();
        warn("state file " + path + " is unusable (" + why + "); treating it as missing");
        return std::nullopt;
    }
}

void Store::writeState(const std::string& name, const std::string& json) {
    checkName(name);
    json::parseObject(json, "state of " + name); // never persist something we cannot read back
    ensureDir(m_dir + "/state", 0700);
    writeFileAtomic(statePath(name), json, 0600, "store.state");
}

std::optional<CertState> Store::loadState(const std::string& name) const {
    auto text = readState(name);
    if (!text) {
        return std::nullopt;
    }
    try {
        return CertState::fromJson(*text);
    } catch (const Error& e) {
        warn("state file " + statePath(name) + " is unusable (" + e.what() +
             "); treating it as missing");
        return std::nullopt;
    }
}

void Store::saveState(const std::string& name, const CertState& state) {
    writeState(name, state.toJson());
}

void Store::removeState(const std::string& name) {
    checkName(name);
    if (::unlink(statePath(name).c_str()) != 0 && errno != ENOENT) {
        throw IoError("removing " + statePath(name) + ": " + errnoText(errno));
    }
}

FileStamp Store::stateStamp(const std::string& name) const {
    checkName(name);
    return stampOf(statePath(name));
}

void Store::writePendingKey(const std::string& name, const std::string& pem) {
    const std::string path = pendingKeyPath(name);
    ensureDir(m_dir + "/pending", 0700);
    ensureDir(parentDir(path), 0700);
    writeFileAtomic(path, pem, 0600, "store.pending");
}

std::optional<std::string> Store::readPendingKey(const std::string& name) const {
    return readFileCapped(pendingKeyPath(name), kMaxKeyBytes);
}

bool Store::hasPendingKey(const std::string& name) const {
    return ::access(pendingKeyPath(name).c_str(), F_OK) == 0;
}

void Store::removePendingKey(const std::string& name) {
    const std::string dir = parentDir(pendingKeyPath(name));
    if (!removeTree(dir)) {
        throw IoError("removing " + dir + ": " + errnoText(errno));
    }
    if (::access((m_dir + "/pending").c_str(), F_OK) == 0) {
        fsyncDir(m_dir + "/pending");
    }
}

std::vector<std::string> Store::names() const {
    std::set<std::string> out;
    auto add = [&](const std::string& entry) {
        try {
            checkName(entry);
            out.insert(entry);
        } catch (const ConfigError&) {
            // temp files and foreign entries are not certificate names
        }
    };
    for (const char* sub : {"/live", "/archive", "/pending"}) {
        for (const auto& entry : detail::listDir(m_dir + sub)) {
            add(entry);
        }
    }
    for (const auto& entry : detail::listDir(m_dir + "/state")) {
        const std::string suffix = ".json";
        if (entry.size() > suffix.size() &&
            entry.compare(entry.size() - suffix.size(), suffix.size(), suffix) == 0) {
            add(entry.substr(0, entry.size() - suffix.size()));
        }
    }
    return {out.begin(), out.end()};
}

} // namespace certagent::store
