#pragma once

// The certs.d file `certagent discover --write` writes: the request checked, the text composed,
// and the file published only complete, only if it loads, never over an existing one.

#include "config/Config.h"
#include "core/Installer.h"

#include <string>
#include <vector>

namespace certagent::core {

struct CertFileRequest;

/// A certificate file on its way into certs.d.
struct CertFileDraft {
    config::CertConfig cert;        ///< name, domains (checked, lower case), installer, key type
    std::string orderId;            ///< digits or ""
    std::string productId;          ///< digits or ""
    std::vector<std::string> notes; ///< for the user: printed, and comments in the file
};

/// Checks `request` against `config`: a valid NAME without a certs.d file yet, DNS names (no IP
/// addresses, no repeats), numeric order and product ids, and the installer (the one installed
/// when none is named). Throws ConfigError naming the option.
CertFileDraft checkedDraft(const config::Config& config, const CertFileRequest& request);

/// The commented file: what serves the names now (`placements`), then the keys. Server text in
/// comments is escaped to one line each.
std::string draftText(const CertFileDraft& draft, const std::vector<ServedName>& placements,
                      const std::string& liveDir, std::time_t now);

/// Writes `text` as a hidden draft (0644) in the certs directory, reads it as certs.d/NAME.conf
/// would be read (checkNewCertFile), then links it to NAME.conf (link(2) fails on an existing
/// name, as O_EXCL does, and the file appears complete). The draft is removed on every path.
/// Returns the certificate as the configuration reads it. Throws ConfigError (the file would not
/// load, or NAME.conf exists), IoError.
config::CertConfig publishDraft(const config::Config& config, const std::string& name,
                                const std::string& text);

} // namespace certagent::core
