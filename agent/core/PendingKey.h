#pragma once

#include "config/Config.h"
#include "store/Store.h"

#include <string>

namespace certagent::core {

/// Makes the key of the next order on this host and its CSR (every configured name, first = CN):
/// pending/NAME/privkey.pem (0600 from the start) and pending/NAME/request.csr. With `reuse_key`
/// (and `reuseLive`) the live key is used instead of a new one. Returns the CSR (PEM). The key
/// never leaves the host. Throws CryptoError, IoError.
std::string writePendingKeyAndCsr(store::Store& store, const config::CertConfig& cert,
                                  bool reuseLive = true);

} // namespace certagent::core
