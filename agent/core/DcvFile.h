#pragma once

#include "util/SafeDir.h"

#include <string>
#include <vector>

namespace certagent::core {

/// The directory below <webroot>/.well-known/ a CA looks in.
enum class WellKnownDir {
    PkiValidation, ///< pki-validation/ (Sectigo-family file validation, via GoGetSSL)
    AcmeChallenge, ///< acme-challenge/ (ACME http-01)
};

/// "pki-validation" or "acme-challenge".
const char* wellKnownName(WellKnownDir dir);

/// A domain validation file that passed its backend's checks: safe to write as inert bytes.
struct DcvFile {
    WellKnownDir dir = WellKnownDir::PkiValidation;
    std::string fileName; ///< [A-Za-z0-9_-]{1,64}\.txt (pki-validation) or an ACME token
    std::string content;  ///< few short lines of [A-Za-z0-9._-] (CRLF kept)
};

/// True for a file name that may name a validation file in `dir`: `[A-Za-z0-9_-]{1,64}\.txt`
/// for pki-validation, `[A-Za-z0-9_-]{16,128}` for acme-challenge. Nothing else ever names a
/// file (no '/', '.', '%', NUL).
bool validDcvFileName(WellKnownDir dir, const std::string& name);

/// Opens web root `webroot` without following a symlink its owner (or anyone but root) could
/// have planted on the way (util/SafeDir.h): the check made before an order is placed, and the
/// directory placeDcvFile writes below. Throws RefusedError (exit 4) for such a link or a foreign
/// owner on the way, IoError when it is missing or not a directory.
OpenedDir openWebroot(const std::string& webroot);

/// Result of placeDcvFile.
struct PlacedFile {
    std::string path;     ///< <webroot>/.well-known/<dir>/<name>
    bool created = false; ///< false: an identical file was already there (not ours to remove)
};

/// Writes the file under `webroot` (opened by openWebroot) without following symlinks:
/// `.well-known` and the well-known sub-directory opened with O_NOFOLLOW|O_DIRECTORY (created 0755
/// if missing, fchmod so umask does not matter), each owned by root or the owner of `webroot`; the
/// file created with O_CREAT|O_EXCL|O_NOFOLLOW and fchmod 0644. An existing identical file is
/// accepted (created = false); a different one is refused. Throws RefusedError for symlinks/foreign
/// owners/different existing file, IoError for filesystem failures.
PlacedFile placeDcvFile(const std::string& webroot, const DcvFile& file);

/// Removes a file placed earlier (path recorded in state), without following symlinks. Only
/// paths ending in /.well-known/{pki-validation,acme-challenge}/<valid name> are touched. Returns
/// false (never throws) if it could not be removed; a missing file counts as removed.
bool removeDcvFile(const std::string& path) noexcept;

} // namespace certagent::core
