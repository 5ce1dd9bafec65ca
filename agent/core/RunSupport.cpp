#include "core/RunSupport.h"

#include "core/IdleCheck.h"
#include "crypto/Pem.h"
#include "util/FileIo.h"

namespace certagent::core {

Poco::Logger& logger() {
    return Poco::Logger::get("certagent");
}

crypto::LiveCheck inspectLiveFiles(const store::Store& store, const config::Config& config,
                                   const config::CertConfig& cert, std::time_t now,
                                   std::array<std::uint8_t, 16>* content) {
    std::string dir = store.liveDir(cert.name);
    crypto::LiveFiles files;
    crypto::LiveCheck missing;
    std::string fullchain;
    for (auto [name, target] :
         {std::pair{"cert.pem", &files.certPem}, std::pair{"chain.pem", &files.chainPem},
          std::pair{"fullchain.pem", &fullchain}, std::pair{"privkey.pem", &files.keyPem}}) {
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
    if (content)
        *content = contentDigest(files.certPem, files.chainPem, fullchain, files.keyPem);
    crypto::LiveCheck check = crypto::inspectLive(files);
    if (check.ok && fullchain != files.certPem + files.chainPem) {
        // What the server reads must be what passed the gate.
        check.ok = false;
        check.failure = crypto::GateFailure::BadPem;
        check.message =
            "live/" + cert.name + "/fullchain.pem is not cert.pem followed by chain.pem";
    }
    return check;
}

std::string pendingCsrPath(const store::Store& store, const std::string& name) {
    return parentDir(store.pendingKeyPath(name)) + "/request.csr";
}

} // namespace certagent::core
