#pragma once

// A small PKI for the crypto tests: root -> intermediate -> leaf (P-256), root.pem on disk as the
// gate's trust anchor, and helpers to run the real openssl CLI on files.

#include "TestCa.h"
#include "TestEnv.h"
#include "crypto/Gate.h"

#include <openssl/x509v3.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace certagent::test {

struct Pki {
    TempDir dir;
    TestCa root = TestCa::makeRoot("Certagent Test Root");
    TestCa inter = root.makeIntermediate("Certagent Test Intermediate");
    crypto::EvpPkeyPtr key = makeKey(KeyKind::EcP256);
    std::string rootFile = dir / "root.pem";
    std::vector<std::string> names{"example.com", "www.example.com"};

    Pki() { writeFile(rootFile, root.certPem()); }

    CertSpec leafSpec() const {
        CertSpec spec;
        spec.names = names;
        return spec;
    }
    std::string leafPem() const { return toPem(*inter.issue(*key, leafSpec())); }
    std::string leafPem(const CertSpec& spec) const { return toPem(*inter.issue(*key, spec)); }

    crypto::GateInput input(const std::string& crt, const std::string& ca) const {
        crypto::GateInput in;
        in.crtCode = crt;
        in.caCode = ca;
        in.localKey = key.get();
        in.names = names;
        in.trustCaFile = rootFile;
        in.now = std::chrono::system_clock::now();
        in.context = "order 1840217";
        return in;
    }
    crypto::GateInput input(const std::string& crt) const { return input(crt, inter.certPem()); }
};

/// A copy of `cert` with extension `dropNid` removed (NID_undef: none) re-signed by `ca` with `md`.
inline crypto::X509Ptr resign(const X509& cert, const EVP_PKEY& caKey, const EVP_MD* md,
                              int dropNid = NID_undef) {
    crypto::X509Ptr copy(X509_dup(const_cast<X509*>(&cert)));
    if (!copy)
        throw std::runtime_error("X509_dup");
    if (dropNid != NID_undef) {
        const int idx = X509_get_ext_by_NID(copy.get(), dropNid, -1);
        if (idx >= 0)
            X509_EXTENSION_free(X509_delete_ext(copy.get(), idx));
    }
    if (X509_sign(copy.get(), const_cast<EVP_PKEY*>(&caKey), md) <= 0)
        throw std::runtime_error("X509_sign");
    return copy;
}

/// Runs /usr/bin/openssl with `args`; returns exit code and output.
inline CommandOutput openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    return runCommand(args);
}

} // namespace certagent::test
