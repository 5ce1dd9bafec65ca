#pragma once

// The three kinds of config file, each read through its key table (config-internal).

#include "config/Config.h"
#include "config/IniFile.h"

#include <string>

namespace certagent::config {

/// Reads certagent.conf's keys into `config` (defaults included); `base` is its absolute
/// directory. Throws ConfigError naming file, line and key.
void readMainFile(const IniFile& ini, Config& config, const std::string& base);

/// Reads the credentials file config.api.credentialsFile (`display` names it) into config.api.
/// Throws ConfigError: missing file, mode not 0600 or stricter, unknown key, missing user/pass.
void readCredentials(Config& config, const std::string& display);

/// `contact` with tech_* filled from admin_* where not set (README, [contact]).
Contact withTechDefaults(Contact contact);

/// Reads one certs.d file (not following a symlink) into a CertConfig merged with `config`'s
/// defaults. Throws ConfigError naming `display` and the key.
CertConfig readCertFile(const std::string& path, const std::string& display,
                        const std::string& name, const Config& config);

} // namespace certagent::config
