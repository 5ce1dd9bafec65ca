#pragma once

// `certagent discover`: what the web servers serve over TLS today, as their own selection rules
// see it, with the facts of each certificate file; `discover --write`, the certs.d file that takes
// such names over; and the blocks serving a managed certificate's names (`status --served`).

#include "core/RunContext.h"

#include <optional>
#include <string>
#include <vector>

namespace certagent::core {

/// The certificate file a block serves, as read from disk now.
struct ServedCertificate {
    std::string problem; ///< why it could not be read ("" = the facts below are valid)
    std::string subject;
    std::string issuer;
    std::string notAfter; ///< ISO 8601 UTC
    long long daysLeft = 0;
    std::string keyType;            ///< "ec-p256", "rsa-2048", or what else it is ("rsa-1024")
    std::vector<std::string> names; ///< dNSName SANs
    std::string chainProblem; ///< "" = the file's leaf and chain verify against the trust store
};

/// The facts of the certificate file `file` (leaf first, its chain after it; a private key in the
/// same file is skipped), the chain verified at `now` against `trustCaFile` (the system store when
/// empty). Symlinks are followed, as the server follows them. Throws ConfigError for an unreadable
/// `trustCaFile` only; everything about `file` is reported in the result.
ServedCertificate readServedCertificate(const std::string& file, const std::string& trustCaFile,
                                        std::time_t now);

/// One TLS name on one listen address of one server.
struct DiscoveredName {
    std::string installer;         ///< "nginx" | "apache"
    ServedName served;             ///< name ("" = the address's default block), block, why, files
    ServedCertificate certificate; ///< of served.certFile
    std::string managedBy;         ///< NAME when served.certFile is in <store>/live/NAME/, else ""
};

/// The servers `discover` asks: `only` when set, else each whose [nginx] / [apache] binary exists.
/// Throws ConfigError when that leaves none.
std::vector<config::InstallerKind> serversToDiscover(const config::Config& config,
                                                     std::optional<config::InstallerKind> only);

/// Everything the server of `kind` serves over TLS (Installer::inventory), with the facts of each
/// certificate file (read once per file; the chain checked against [trust] ca_file or the system
/// store). A file that cannot be read is a finding, not an error. Throws what inventory() throws
/// (InstallError when the server cannot say), ConfigError for an unreadable [trust] ca_file.
std::vector<DiscoveredName> discoverServed(RunContext& ctx, config::InstallerKind kind);

/// What `discover --write` is asked for.
struct CertFileRequest {
    std::string name;                               ///< certificate NAME (file stem)
    std::vector<std::string> domains;               ///< as given
    std::optional<config::InstallerKind> installer; ///< unset: the one server installed
    std::string orderId;                            ///< existing order ("" = none)
    std::string productId;                          ///< for a new order ("" = none)
};

/// What `discover --write` wrote.
struct WrittenCertFile {
    std::string path;
    config::CertConfig cert;        ///< the file as the configuration now reads it
    std::vector<std::string> notes; ///< what the user should check (also comments in the file)
};

/// `discover --write`: checks the request (NAME, domains, order and product ids, no file of that
/// name yet), asks the server which blocks serve the names (Installer::discover, so what a deploy
/// would refuse is refused now) and writes a commented certs.d/NAME.conf (installer, webroot =
/// auto, the key type served now), mode 0644. The file appears complete and only if it loads as
/// part of the configuration; an existing file is never replaced. Throws ConfigError (exit 2,
/// nothing written), InstallError when the server cannot say, IoError.
WrittenCertFile writeCertFile(RunContext& ctx, const CertFileRequest& request);

/// One line for `verify` and `status`: "NAME on ADDRESS: FILE:LINE (WHY)", server text escaped;
/// "(any other name)" for an address's default block.
std::string servedLine(const ServedName& served);

/// For `status --served`: which block serves each of `cert`'s names on each TLS address and why
/// (Installer::discover, then placements()); empty for `installer = none`. Throws what discover()
/// throws.
std::vector<ServedName> servedBy(RunContext& ctx, const config::CertConfig& cert);

} // namespace certagent::core
