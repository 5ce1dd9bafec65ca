#pragma once

#include <string>

namespace certagent::plugins::apache {

/// The verification gate's word on the files a virtual host points at, right before a reload:
/// the first certificate of `certPath` parses, the private key in `keyPath` (or, when empty, in
/// `certPath` itself) parses, and the key belongs to the certificate. `apache2 -t` accepts
/// mismatched or garbage files and a graceful reload with them takes the server down, so this
/// runs before every reload. Throws CryptoError naming the file and the reason. With
/// `allowEncryptedKey` (other administrators' blocks, whose passphrase Apache gets from its
/// SSLPassPhraseDialog) a passphrase-protected key is not checked and false is returned.
bool checkKeyPair(const std::string& certPath, const std::string& keyPath,
                  bool allowEncryptedKey = false);

/// "rsa" or "ec" for the key of the first certificate in `certPath`; "" when the file cannot be
/// read or holds another kind of key. Never throws.
std::string keyFamilyOfCertFile(const std::string& certPath);

} // namespace certagent::plugins::apache
