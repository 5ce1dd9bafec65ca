#pragma once

#include <string>

namespace certagent::config {

/// [nginx] / [apache] of certagent.conf.
struct ServerSettings {
    std::string binary;          ///< e.g. /usr/sbin/nginx
    std::string config;          ///< e.g. /etc/nginx/nginx.conf
    std::string reload = "auto"; ///< auto | systemd | signal
};

} // namespace certagent::config
