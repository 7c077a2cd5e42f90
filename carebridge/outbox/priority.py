"""The worker's CPU priority: below the web server's.

At a release, booking requests and the worker's confirmation messages compete for the same
cores. A patient is waiting for the booking's answer; the message can come a moment later. The
worker therefore runs ``WORKER_NICE`` steps below normal priority: on a busy machine the web
server's processes are served first, and the worker takes what they leave.

A process's own nice value only ranks it among the processes of its scheduling group. On Linux
with autogroup scheduling (on in many distributions' kernels) every session is a group, and a
process started as a service or with ``setsid`` leads a session of its own: its group then
competes with the web server's group as an equal, whatever the process's nice value
(bench/RESULTS.md: the one worker weighed as much as the server's twenty threads, and nice
alone changed nothing). Such a worker (a service, ``carebridge demo``'s) lowers its group's nice
value too. A worker sharing a session (started from a terminal) leaves the group alone, since
that would slow its neighbours as well; its own nice value already ranks it below them. Under
systemd with the CPU controller, the unit's ``CPUWeight=`` decides between services (README)."""

import logging
import os
from pathlib import Path

log = logging.getLogger("carebridge.outbox")

AUTOGROUP = Path("/proc/self/autogroup")


def lower_cpu_priority(steps: int) -> int:
    """Make this process ``steps`` nice values less urgent (0: leave it) and, if it leads its
    own session, its autogroup as well. Returns the process's nice value."""
    if steps <= 0:
        return os.nice(0)
    nice = os.nice(steps)
    if os.getsid(0) == os.getpid():
        try:
            AUTOGROUP.write_text(f"{nice}\n")
        except OSError:  # not Linux, or a kernel without autogroup scheduling
            log.debug("no autogroup to lower")
    return nice
