#pragma once

// Processes of the test run: every TempDir is a test's prefix, and a process that mentions one in
// its command line, or has its working directory or an open file below one, belongs to the test
// that made it. The end-of-suite check (TestMain.cpp, in every runner) fails when any of them is
// still running: every test stops what it started, also the workers of a master that died.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace certagent::test {

/// True when /proc/<pid> exists and is not a zombie.
bool processAlive(int pid);

/// Waits until none of `pids` is alive; false after `within`.
bool waitGone(const std::vector<int>& pids, std::chrono::milliseconds within);

/// Live processes (not this one) whose NUL-separated command line contains `text`.
std::vector<int> processesMentioning(const std::string& text);

/// The command line of `pid` with NULs as spaces; "" when it is gone.
std::string commandLine(int pid);

/// SIGKILL to every process processesMentioning(`text`) finds; waits (bounded) until they are
/// gone.
void killMentioning(const std::string& text);

/// Records `dir` as a test's prefix (TempDir does this for every directory it makes).
void registerTestPrefix(const std::string& dir);

/// "pid: command line (why)" of every live process (not this one) that belongs to a registered
/// prefix: command line, working directory or an open file below it.
std::vector<std::string> testProcessLeftovers();

/// Registers how to stop a server shared by a whole runner (a function-local static would only
/// be destroyed after the end-of-suite check); runSuiteEndStops() runs these, last first.
void atSuiteEnd(std::function<void()> stop);

/// Runs and forgets what atSuiteEnd() registered (TestMain, before the check).
void runSuiteEndStops();

/// SIGKILLs every process testProcessLeftovers() lists and waits (bounded) for them to go.
void killTestProcessLeftovers();

} // namespace certagent::test
