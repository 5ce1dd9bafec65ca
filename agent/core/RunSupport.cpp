#include "core/RunSupport.h"

#include "crypto/Pem.h"
#include "util/FileIo.h"

namespace certagent::core {

Poco::Logger& logger() {
    return Poco::Logger::get("certagent");
}

crypto::LiveCheck inspectLiveFiles(const store::Store& store, const config::Config& config,
                                   const config::CertConfig& cert, std::time_t now) {
    std::string dir = store.liveDir(cert.name);
    crypto::LiveFiles files;
    crypto::LiveCheck missing;
    for (auto [name, target] :
         {std::pair{"cert.pem", &files.certPem}, std::pair{"chain.pem", &files.chainPem},
          std::pair{"privkey.pem", &files.keyPem}}) {
        std::optional<std::string> text;
        try {
            text = readFileCapped(dir + "/" + name, crypto::kMaxPemBytes);
        } catch (const Error& e) {
            missing.message = e.what();
            return missing;
        }
        if (!text) {
            missing.message = "live/" + cert.name + "/" + name + " is missing";
            return missing;
        }
        *target = *text;
    }
    files.names = cert.domains;
    files.trustCaFile = config.trustCaFileFor(cert);
    files.now = std::chrono::system_clock::from_time_t(now);
    files.context = "live/" + cert.name;
    return crypto::inspectLive(files);
}

std::string pendingCsrPath(const store::Store& store, const std::string& name) {
    return parentDir(store.pendingKeyPath(name)) + "/request.csr";
}

} // namespace certagent::core
