#!/usr/bin/env python3
"""Times whole processes without a timing program in between (used by scripts/bench).

Usage: spawn-time.py ROUNDS LABEL COMMAND [LABEL COMMAND ...]

COMMAND is one string, split as a shell splits words (no shell runs it). Each round starts every
command once, in the order given, with posix_spawn and reaps it with wait4: wall time from just
before the spawn to the reap, CPU time (user + system) from the kernel's accounting of that one
process (not peak RSS: the kernel counts the spawning Python's pages in it; /usr/bin/time gives
that). Output and errors of the commands are discarded. One line per LABEL: "LABEL WALL_US
CPU_US", medians over the rounds. A command that cannot be started or
exits non-zero stops everything with exit 1: a figure of a failure is no figure.
"""
import os
import shlex
import statistics
import sys
import time


def run_once(argv):
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall_us = (time.perf_counter_ns() - start) // 1000
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"spawn-time: {shlex.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return wall_us, round((usage.ru_utime + usage.ru_stime) * 1e6)


def main():
    if len(sys.argv) < 4 or len(sys.argv) % 2 != 0 or not sys.argv[1].isdigit():
        sys.exit(__doc__.strip().splitlines()[2])
    rounds = int(sys.argv[1])
    jobs = [(sys.argv[i], shlex.split(sys.argv[i + 1])) for i in range(2, len(sys.argv), 2)]
    figures = {label: [] for label, _ in jobs}
    for label, argv in jobs:  # one warm-up each, not counted
        run_once(argv)
    for _ in range(rounds):
        for label, argv in jobs:
            figures[label].append(run_once(argv))
    for label, _ in jobs:
        columns = zip(*figures[label])
        print(label, *(round(statistics.median(c)) for c in columns))


if __name__ == "__main__":
    main()
