// The entry point of certagent-https.so (see api/HttpsModule.h). Built only into that module,
// together with api/HttpsTransport.cpp; the binary reaches it through api/HttpsLoader.cpp.
#include "api/HttpsModule.h"

extern "C" __attribute__((visibility("default"))) const certagent::api::HttpsModuleEntry*
certagent_https_module() {
    static const certagent::api::HttpsModuleEntry entry{CERTAGENT_VERSION,
                                                        &certagent::api::makeHttpsTransport};
    return &entry;
}
