# Installation layout (FHS) and the Debian package.
#
#   cmake --install build --prefix /usr          (files outside the prefix: /lib/systemd/system,
#   DESTDIR=/tmp/stage cmake --install build ...  /etc/cron.d — use DESTDIR to stage)
#   cd build && cpack -G DEB                      -> certagent_<version>_<arch>.deb
#
# `install` does not depend on building everything (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY): build
# the certagent target first. cpack then packages what is built without rebuilding the tests.

set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(CERTAGENT_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE STRING "where systemd units go")
set(CERTAGENT_CRON_DIR "/etc/cron.d" CACHE STRING "where the cron file goes (a conffile)")
set(CERTAGENT_CONFIG_DIR "/etc/certagent" CACHE STRING "configuration directory")
set(CERTAGENT_DATA_DIR "${CMAKE_INSTALL_DATADIR}/certagent")
set(CERTAGENT_DOC_DIR "${CMAKE_INSTALL_DATADIR}/doc/certagent")

# Debian wants man pages compressed, reproducibly (-n: no name or time stamp).
find_program(GZIP_PROGRAM gzip REQUIRED)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/certagent.8.gz
  COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_SOURCE_DIR}/doc/certagent.8 > ${CMAKE_BINARY_DIR}/certagent.8.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/doc/certagent.8
  VERBATIM)
add_custom_target(certagent_manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/certagent.8.gz)
add_dependencies(certagent certagent_manpage)

install(FILES ${CMAKE_BINARY_DIR}/certagent.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

# Debian policy 12.5 and 12.7: the licence as /usr/share/doc/PKG/copyright (machine-readable
# format) and, for a native package, the changelog as changelog.gz.
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
  COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_SOURCE_DIR}/doc/debian/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/doc/debian/changelog
  VERBATIM)
add_custom_target(certagent_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
add_dependencies(certagent certagent_changelog)
install(FILES ${CMAKE_BINARY_DIR}/changelog.gz doc/debian/copyright DESTINATION ${CERTAGENT_DOC_DIR})
install(FILES doc/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME certagent)

install(PROGRAMS
  hooks/haproxy hooks/postfix-reload hooks/dovecot-reload hooks/webhook hooks/mail
  hooks/dns-nsupdate hooks/ci-install
  DESTINATION ${CERTAGENT_DATA_DIR}/hooks)

install(FILES README.md doc/fleet-ops.md DESTINATION ${CERTAGENT_DOC_DIR})
install(FILES hooks/README.md DESTINATION ${CERTAGENT_DOC_DIR} RENAME README.hooks.md)
install(FILES conf/certagent.conf DESTINATION ${CERTAGENT_DOC_DIR}/examples)
install(FILES conf/credentials.conf DESTINATION ${CERTAGENT_DOC_DIR}/examples
        PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES conf/certs.d/example.conf DESTINATION ${CERTAGENT_DOC_DIR}/examples/certs.d)
install(FILES conf/grafana/certagent.json DESTINATION ${CERTAGENT_DOC_DIR}/examples/grafana)
install(FILES conf/systemd/certagent.service conf/systemd/certagent.timer
        conf/systemd/certagent-sync.service conf/systemd/certagent-sync.timer conf/cron.d/certagent
        DESTINATION ${CERTAGENT_DOC_DIR}/examples/system)

install(FILES conf/systemd/certagent.service conf/systemd/certagent.timer
        conf/systemd/certagent-sync.service conf/systemd/certagent-sync.timer
        DESTINATION ${CERTAGENT_SYSTEMD_UNIT_DIR})
install(FILES conf/cron.d/certagent DESTINATION ${CERTAGENT_CRON_DIR})
# Empty configuration skeleton (package-owned directories; the files in them are the admin's).
foreach(dir certs.d hooks/pre.d hooks/deploy.d hooks/post.d hooks/failure.d hooks/dns.d)
  install(DIRECTORY DESTINATION ${CERTAGENT_CONFIG_DIR}/${dir})
endforeach()

# --- CPack: a .deb for Debian 12 -----------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "certagent")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "certagent maintainers <certagent@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "orders, validates, verifies and installs TLS certificates from GoGetSSL")
set(CPACK_PACKAGE_DESCRIPTION
    "certagent runs from a systemd timer or cron on Linux web servers. For each\n\
configured certificate it orders or reissues through the GoGetSSL reseller API\n\
with a locally generated key, places the HTTP validation file, verifies the\n\
issued chain, installs it for nginx or Apache with a config test, a graceful\n\
reload and a TLS probe, and rolls back on any failure.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/certagent/certagent")
# libpoco*80, libssl3, libstdc++6, libc6 ... from the binary's real NEEDED entries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "curl")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx | apache2, haproxy, bind9-dnsutils")
# The cron file is configuration the admin may edit: keep their version on upgrade.
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles "${CERTAGENT_CRON_DIR}/certagent\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES FALSE) # stripped by `cmake --install --strip` below (policy 10.1)
# Package what is built, without CPack's "preinstall" step (which re-checks the whole build
# system and builds every target, tests included): stage with `cmake --install` under DESTDIR.
set(CPACK_INSTALL_CMAKE_PROJECTS "")
set(CPACK_INSTALL_COMMANDS "${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix /usr --strip")
include(CPack)
