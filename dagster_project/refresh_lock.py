"""One refresh at a time: an exclusive lock file beside the warehouse.

DuckDB allows one writing process per file. The lock is an OS file lock (``flock``), so it is
released when its process ends, however it ends: a refresh killed with SIGKILL leaves no stale
lock behind, and the next refresh can tell a dead run from a live one.

The lock is re-entrant within a process: ``python -m dagster_project.run`` takes it before
anything else (before Dagster is even imported) and holds it to the end, and the warehouse
resource of the run it executes in-process takes it again without blocking on itself. A run
the Dagster daemon starts in its own process takes it through the resource.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO


class RefreshRunning(RuntimeError):
    """Another process holds the refresh lock."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.refresh.lock"


# lock file -> [open handle, holds] of the locks this process holds
_HELD: dict[str, list] = {}


def acquire(warehouse: Path) -> IO[str]:
    """Take the lock or raise :class:`RefreshRunning` naming the holder's process id."""
    path = lock_path(warehouse)
    key = os.path.abspath(path)
    if key in _HELD:  # this process holds it already
        _HELD[key][1] += 1
        return _HELD[key][0]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = ""
        for _ in range(20):  # the holder writes its pid just after taking the lock
            handle.seek(0)
            if holder := handle.read().strip():
                break
            time.sleep(0.05)
        handle.close()
        holder = holder or "unknown"
        raise RefreshRunning(
            f"another refresh is running (process {holder}, lock {path}); "
            "DuckDB allows one writer: wait for it to finish"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _HELD[key] = [handle, 1]
    return handle


def release(handle: IO[str] | None) -> None:
    if handle is None or handle.closed:
        return
    key = os.path.abspath(handle.name)
    if key in _HELD and _HELD[key][0] is handle:
        _HELD[key][1] -= 1
        if _HELD[key][1] > 0:
            return
        del _HELD[key]
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def is_running(warehouse: Path) -> bool:
    """True when another process holds the lock."""
    if os.path.abspath(lock_path(warehouse)) in _HELD:
        return False
    try:
        release(acquire(warehouse))
    except RefreshRunning:
        return True
    return False
