#pragma once

#include "store/Store.h"

#include <functional>
#include <string>

namespace certagent::store::test {

/// Distinct fake PEM texts for version tag `tag` (real key/cert matching is crypto's job).
VersionFiles fakeVersion(const std::string& tag, size_t certPadding = 0);

/// The tag fakeVersion() put into `certPem`, or "" if it is not one of ours.
std::string tagOf(const std::string& certPem);

/// Checks that live/NAME is a complete set written by one fakeVersion call; returns "" if so,
/// else what is wrong. `tag` receives that version's tag.
std::string checkLiveConsistent(const Store& store, const std::string& name, std::string& tag);

/// What happened in a forked child.
struct ChildResult {
    bool exited = false; ///< exited normally
    int exitCode = -1;   ///< if exited
    int signal = 0;      ///< terminating signal, if killed
    std::string message; ///< what the body returned or threw
};

/// Forks; the child runs `body` (extra environment `envVar`="value" set first if non-empty) and
/// exits 0 if it returned "" (else 1, or `exitCode` 77 to signal "skipped"); the returned text
/// or exception message travels back through a pipe.
ChildResult runInChild(const std::function<std::string()>& body, const std::string& faultSpec = {});

/// Entries of a directory that start with `prefix` ("" if none).
std::string findEntryWithPrefix(const std::string& dir, const std::string& prefix);

} // namespace certagent::store::test
