#include "core/backends/AcmeChains.h"

#include "crypto/Pem.h"
#include "util/Error.h"

#include <openssl/objects.h>
#include <openssl/x509.h>

namespace certagent::core {

namespace {

const char* const kEndMarker = "-----END CERTIFICATE-----";

std::string commonName(const X509_NAME* name) {
    char buf[256] = {};
    int n =
        X509_NAME_get_text_by_NID(const_cast<X509_NAME*>(name), NID_commonName, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

/// True when the chain's topmost certificate was issued by, or is, `cn`.
bool endsAt(const IssuedChain& chain, const std::string& cn) {
    try {
        auto helpers = crypto::parseCertBundleAllowEmpty(chain.chainPem, "chain");
        crypto::X509Ptr leaf;
        const X509* top = nullptr;
        if (!helpers.empty()) {
            top = helpers.back().get();
        } else {
            leaf = crypto::parseSingleCert(chain.leafPem, "certificate");
            top = leaf.get();
        }
        return commonName(X509_get_issuer_name(top)) == cn ||
               commonName(X509_get_subject_name(top)) == cn;
    } catch (const Error&) {
        return false; // unreadable: the gate says why when it is tried
    }
}

} // namespace

IssuedChain splitPemChain(const std::string& body) {
    auto end = body.find(kEndMarker);
    if (end == std::string::npos)
        return IssuedChain{body, ""};
    end += std::string(kEndMarker).size();
    if (end < body.size() && body[end] == '\r')
        ++end;
    if (end < body.size() && body[end] == '\n')
        ++end;
    return IssuedChain{body.substr(0, end), body.substr(end)};
}

std::vector<IssuedChain> orderChains(std::vector<IssuedChain> chains,
                                     const std::string& preferred) {
    if (preferred.empty() || chains.size() < 2)
        return chains;
    for (std::size_t i = 0; i < chains.size(); ++i) {
        if (!endsAt(chains[i], preferred))
            continue;
        IssuedChain chosen = std::move(chains[i]);
        chains.erase(chains.begin() + static_cast<std::ptrdiff_t>(i));
        chains.insert(chains.begin(), std::move(chosen)); // then the default, then the others
        break;
    }
    return chains;
}

} // namespace certagent::core
