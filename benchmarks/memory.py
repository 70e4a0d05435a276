"""A benchmark process's own peak memory.

Each measured load runs in a child process so that its peak is its own. On Linux, ru_maxrss
is not that figure for a child: exec keeps the high-water mark of the process it replaced,
which, with the vfork subprocess uses, is the parent's. A child started by a benchmark that
had just generated its export (1.1 GB) reported 1.1 GB whatever it used itself: the
event-log import read 1,103 MB inside `make bench` and 966 MB run alone. VmHWM in
/proc/self/status is the high-water mark of this program's memory alone.
"""

from __future__ import annotations

import resource
import sys


def peak_mb() -> float:
    """The peak resident memory of this program since it started, in MB (2**20 bytes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    # Elsewhere ru_maxrss, which counts bytes on macOS and kilobytes on the other systems
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024
