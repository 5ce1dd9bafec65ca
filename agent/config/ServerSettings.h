#pragma once

#include <string>
#include <vector>

namespace certagent::config {

/// [nginx] / [apache] of certagent.conf.
struct ServerSettings {
    std::string binary;          ///< e.g. /usr/sbin/nginx
    std::string config;          ///< e.g. /etc/nginx/nginx.conf
    std::string reload = "auto"; ///< auto | systemd | signal

    // [apache] only.
    /// `defines = SSL, PHP`: given as -D NAME to every apache2 run, the way the server is started
    /// (Gentoo's APACHE2_OPTS, RHEL's OPTIONS), so <IfDefine> sections are read as it reads them.
    std::vector<std::string> defines{};
    /// `unit = httpd`: the systemd unit for reload = systemd/auto; empty = detected from the
    /// binary and config (apache2, apache2@NAME for /etc/apache2-NAME, httpd).
    std::string unit{};
    /// Not a configuration key: where dpkg keeps its *.conffiles lists (a package's conffile is
    /// never edited in place); tests point it at a fake database.
    std::string packageInfoDir = "/var/lib/dpkg/info";
};

} // namespace certagent::config
