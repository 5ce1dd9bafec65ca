#pragma once

#include <string_view>

namespace certagent {

/// The one rule for certificate names (certs.d/NAME.conf, store live/NAME, archive/NAME,
/// state/NAME.json), shared by config and store so a name that loads is a name the store takes:
/// ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ without ".." anywhere (safe as one path component).
bool isValidCertName(std::string_view name);

} // namespace certagent
