#pragma once

#include <ctime>
#include <string>

namespace certagent::crypto {

/// The stamps (size, mtime, ctime) of the trust anchors the gate loads for `trustCaFile`: that
/// file, or for the system store (empty) OpenSSL's default file and directory (SSL_CERT_FILE and
/// SSL_CERT_DIR when set). A `ca-certificates` update rewrites the bundle and adds or removes the
/// hashed links in the directory, so the stamp changes whenever an anchor may have come or gone.
/// One line of text, compared for equality only; empty (equal to nothing) when a part changed
/// within kRacySeconds of `now` (util/FileStamp.h). Never throws.
std::string trustStamp(const std::string& trustCaFile, std::time_t now);

/// Names the rules the gate applies, as far as they can change without the live files changing:
/// this agent's gate revision and the OpenSSL version. A verdict recorded under another revision
/// is not reused.
std::string gateRevision();

} // namespace certagent::crypto
