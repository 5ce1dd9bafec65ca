#pragma once

// Debian's envvars (/etc/apache2/envvars, /etc/apache2-NAME/envvars): the shell fragment
// apache2ctl sources before running apache2. certagent does not run it through a shell (it is
// root's file, and a shell would run whatever else it holds); it reads the plain assignments the
// way apache2ctl would see them: APACHE_CONFDIR is the config directory, SUFFIX is "-NAME" for an
// apache2-NAME instance (what Debian's own `if` block computes), then `export NAME=value`,
// `NAME=value` + `export NAME` and `unset NAME` lines in order, with $NAME / ${NAME} expanded and
// quotes removed. A value with a command substitution is skipped; other shell lines are ignored.

#include <map>
#include <string>
#include <vector>

namespace certagent::plugins::apache {

/// What apache2ctl would take from an envvars file.
struct Envvars {
    bool present = false;                   ///< the file exists
    std::map<std::string, std::string> env; ///< exported APACHE_*, LANG, LC_* (never PATH, LD_*)
    std::vector<std::string> defines;       ///< -D NAME found in APACHE_ARGUMENTS
};

/// Reads <configDir>/envvars. Throws ConfigError when it exists but is not owned by root (or
/// the effective user) or is writable by group or others: certagent acts on it as root.
Envvars readEnvvars(const std::string& configDir);

/// "-NAME" when the directory's name is apache2-NAME, else "" (Debian's SUFFIX).
std::string instanceSuffix(const std::string& configDir);

} // namespace certagent::plugins::apache
