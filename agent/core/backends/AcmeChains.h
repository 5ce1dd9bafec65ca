#pragma once

#include "core/CaBackend.h"

#include <string>
#include <vector>

namespace certagent::core {

/// An ACME certificate body (PEM, leaf first, RFC 8555 §7.4.2) as the gate wants it: the text up
/// to the first END CERTIFICATE line as the leaf, the rest as helpers. Nothing is parsed here:
/// whatever the CA put in (a key block, junk) reaches the verification gate, which refuses it.
IssuedChain splitPemChain(const std::string& body);

/// The chains in the order the gate tries them: with `preferred` (an issuer common name), first
/// the chain whose topmost certificate was issued by (or is) `preferred`, then the default
/// chain, then the other alternates; without it, as the CA sent them (default first). A chain
/// that cannot be read keeps its place (the gate reports it).
std::vector<IssuedChain> orderChains(std::vector<IssuedChain> chains, const std::string& preferred);

} // namespace certagent::core
