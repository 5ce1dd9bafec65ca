#include "core/PendingKey.h"

#include "core/RunSupport.h"
#include "crypto/Csr.h"
#include "crypto/Keys.h"
#include "util/FileIo.h"
#include "util/Secret.h"

namespace certagent::core {

std::string writePendingKeyAndCsr(store::Store& store, const config::CertConfig& cert,
                                  bool reuseLive) {
    crypto::EvpPkeyPtr key;
    std::string keyPem;
    std::optional<std::string> liveKey;
    if (cert.reuseKey && reuseLive)
        liveKey = readFileCapped(store.liveDir(cert.name) + "/privkey.pem", 64 * 1024);
    if (liveKey) {
        key = crypto::privateKeyFromPem(*liveKey, "live/" + cert.name + "/privkey.pem");
        keyPem = *liveKey;
        wipe(*liveKey);
    } else {
        key = crypto::generateKey(crypto::parseKeyType(cert.keyType));
        keyPem = crypto::privateKeyToPem(*key);
    }
    std::string csrPem = crypto::csrToPem(*crypto::makeCsr(*key, cert.domains));
    store.writePendingKey(cert.name, keyPem);
    writeFileAtomic(pendingCsrPath(store, cert.name), csrPem, 0644);
    wipe(keyPem);
    return csrPem;
}

} // namespace certagent::core
