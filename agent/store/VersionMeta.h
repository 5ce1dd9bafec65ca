#pragma once

#include "store/CertState.h"

#include <map>
#include <string>
#include <vector>

namespace certagent::store {

/// What stat(2) said about one file of a version, so a run can tell cheaply whether it changed.
struct VersionFileStamp {
    unsigned long long inode = 0;
    long long size = 0;
    long long mtimeNs = 0; ///< st_mtim in nanoseconds since the epoch
    unsigned mode = 0;     ///< permission bits (st_mode & 07777)
    bool operator==(const VersionFileStamp& o) const {
        return inode == o.inode && size == o.size && mtimeNs == o.mtimeNs && mode == o.mode;
    }
    bool operator!=(const VersionFileStamp& o) const { return !(*this == o); }
};

/// meta.json of one version: the certificate's facts (filled by the caller from the verified
/// certificate) plus the stamps of the files (filled by Store::writeVersion).
struct VersionMeta {
    OrderRef order;                                ///< the order that issued this version
    std::string serial;                            ///< hex, as the crypto layer formats it
    std::string sha256;                            ///< lower-case hex SHA-256 of the leaf's DER
    std::string notBefore;                         ///< ISO 8601 UTC, e.g. "2026-11-29T00:00:00Z"
    std::string notAfter;                          ///< ISO 8601 UTC
    std::vector<std::string> names;                ///< SANs of the leaf (first = common name)
    std::string keyType;                           ///< optional, e.g. "ec-p256"
    std::string createdAt;                         ///< ISO 8601 UTC; set by writeVersion if empty
    std::map<std::string, VersionFileStamp> files; ///< "privkey.pem" → stamp; set by writeVersion

    /// Serialises as a JSON object (Poco::JSON).
    std::string toJson() const;
    /// Parses toJson() output. Throws Error (kExitInternal) if it is not such an object; missing
    /// optional fields stay default.
    static VersionMeta fromJson(const std::string& json);
};

} // namespace certagent::store
