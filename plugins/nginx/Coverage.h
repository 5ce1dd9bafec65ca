#pragma once

#include <string>
#include <vector>

namespace certagent::plugins::nginx {

/// The server_name values of a block that a certificate for `domains` would not cover, each as
/// shown in a refusal ("b.example", "~^re\d+$ (a regular expression)", "mail.* (a trailing
/// wildcard)"). Pointing a block at a certificate breaks HTTPS for every name it serves that the
/// certificate does not name, so such a block is never edited. Rules: "" and "_" (a catch-all's
/// placeholder) need nothing; an exact name needs itself or the wildcard one label up; "*.x"
/// needs "*.x"; ".x" needs x and "*.x"; a trailing wildcard or a regex is never covered (it
/// matches names no certificate can list).
std::vector<std::string> uncoveredNames(const std::vector<std::string>& serverNames,
                                        const std::vector<std::string>& domains);

} // namespace certagent::plugins::nginx
