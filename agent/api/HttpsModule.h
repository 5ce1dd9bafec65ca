#pragma once

#include "api/Transport.h"

#include <memory>
#include <string>

namespace certagent::api {

/// What the HTTPS transport module (certagent-https.so) hands to the binary that loads it. The
/// module holds api/HttpsTransport and everything Poco NetSSL pulls in (Poco Util, XML, Crypto,
/// expat, libssl's client side), so a run that makes no request never loads any of it.
struct HttpsModuleEntry {
    /// CERTAGENT_VERSION of the build that made the module; the loader refuses any other, so a
    /// stale module left by an older install is never called through a changed interface.
    const char* version;
    /// The module's makeHttpsTransport (same contract as in api/Transport.h).
    std::unique_ptr<HttpTransport> (*make)(const std::string& baseUrl, const TlsSettings& tls);
};

/// File name of the module: next to the binary (build tree), else in kHttpsModuleRelDir.
inline constexpr const char* kHttpsModuleFile = "certagent-https.so";
/// The C symbol the module exports: `const HttpsModuleEntry* certagent_https_module()`.
inline constexpr const char* kHttpsModuleSymbol = "certagent_https_module";

} // namespace certagent::api
