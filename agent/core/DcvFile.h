#pragma once

#include "api/Types.h"
#include "crypto/Dcv.h"

#include <string>
#include <vector>

namespace certagent::core {

/// A domain validation file that passed validation: safe to write as inert bytes.
struct DcvFile {
    std::string fileName; ///< ^[A-Za-z0-9_-]{1,64}\.txt$
    std::string content;  ///< as sent (CRLF kept), few short lines of [A-Za-z0-9._-]
    std::string host;     ///< the name of the link (one of the order's names)
};

/// hostile-inputs.md "Domain validation files": method equals `expectedMethod`; file name matches
/// ^[A-Za-z0-9_-]{1,64}\.txt$; link is http(s)://<one of orderNames>/.well-known/pki-validation/
/// <name>; content at most 4 lines of at most 128 characters of [A-Za-z0-9._-]; and, when
/// `expected` is given (our own CSR), file name == MD5 and line 1 == SHA-256 (case-insensitive).
/// Throws RefusedError "<context>: dcv <field>: <reason>" (server text escaped).
DcvFile validateHttpDcv(const api::DcvInfo& info, const std::string& expectedMethod,
                        const std::vector<std::string>& orderNames,
                        const crypto::SectigoDcv* expected, const std::string& context);

/// Result of placeDcvFile.
struct PlacedFile {
    std::string path;     ///< <webroot>/.well-known/pki-validation/<name>
    bool created = false; ///< false: an identical file was already there (not ours to remove)
};

/// Writes the file under `webroot` without following symlinks below it: `.well-known` and
/// `pki-validation` opened with O_NOFOLLOW|O_DIRECTORY (created 0755 if missing, fchmod so umask
/// does not matter), each owned by root or the owner of `webroot`; the file created with
/// O_CREAT|O_EXCL|O_NOFOLLOW and fchmod 0644. An existing identical file is accepted
/// (created = false); a different one is refused. Throws RefusedError for symlinks/foreign
/// owners/different existing file, IoError for filesystem failures.
PlacedFile placeDcvFile(const std::string& webroot, const DcvFile& file);

/// Removes a file placed earlier (path recorded in state), without following symlinks. Only
/// paths ending in /.well-known/pki-validation/<valid name> are touched. Returns false (never
/// throws) if it could not be removed; a missing file counts as removed.
bool removeDcvFile(const std::string& path) noexcept;

} // namespace certagent::core
