#include "core/RunSupport.h"

#include "crypto/Pem.h"
#include "util/FileIo.h"

#include <Poco/DateTime.h>
#include <Poco/Timestamp.h>

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
    files.trustCaFile = config.trustCaFile;
    files.now = std::chrono::system_clock::from_time_t(now);
    files.context = "live/" + cert.name;
    return crypto::inspectLive(files);
}

std::string pendingCsrPath(const store::Store& store, const std::string& name) {
    return parentDir(store.pendingKeyPath(name)) + "/request.csr";
}

bool isTerminalStatus(const std::string& status) {
    return status == "cancelled" || status == "rejected" || status == "expired";
}

std::time_t dateToTime(const api::Date& date) {
    Poco::DateTime dt(date.year, date.month, date.day);
    return dt.timestamp().epochTime();
}

} // namespace certagent::core
