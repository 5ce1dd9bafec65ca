#pragma once

// GoGetSSL's domain validation data (Sectigo-family rules) turned into the run loop's neutral
// challenges, after the checks of hostile-inputs.md "Domain validation files".

#include "api/Types.h"
#include "core/CaBackend.h"
#include "crypto/Dcv.h"

#include <string>
#include <vector>

namespace certagent::core {

/// An HTTP(S) validation file as GoGetSSL describes it, checked.
struct ValidatedDcv : DcvFile {
    std::string host; ///< the name of the link (one of the order's names)
};

/// hostile-inputs.md "Domain validation files": method equals `expectedMethod`; file name matches
/// ^[A-Za-z0-9_-]{1,64}\.txt$; link is http(s)://<one of orderNames>/.well-known/pki-validation/
/// <name>; content at most 4 lines of at most 128 characters of [A-Za-z0-9._-]; and, when
/// `expected` is given (our own CSR), file name == MD5 and line 1 == SHA-256 (case-insensitive).
/// Throws RefusedError "<context>: dcv <field>: <reason>" (server text escaped).
ValidatedDcv validateHttpDcv(const api::DcvInfo& info, const std::string& expectedMethod,
                             const std::vector<std::string>& orderNames,
                             const crypto::SectigoDcv* expected, const std::string& context);

/// Fills view.challenges from the order's DCV data (the common name's `main` and each SAN's own;
/// SANs without data share the common name's): one Email challenge for dcv = email, checked
/// files for http/https (cross-checked with the MD5/SHA-256 of our CSR when we have it), plain
/// CNAME records for dns. A refusal goes into view.challengeProblem ("order N: dcv ...").
void fillChallenges(OrderView& view, const api::DcvInfo& main,
                    const std::vector<api::SanItem>& sans, const OrderContext& context,
                    const std::string& order);

} // namespace certagent::core
