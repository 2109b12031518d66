"""One refresh at a time: an exclusive lock file beside the warehouse.

DuckDB allows one writing process per file. The lock is an OS file lock (``flock``), so it is
released when its process ends, however it ends: a refresh killed with SIGKILL leaves no stale
lock behind, and the next refresh can tell a dead run from a live one.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class RefreshRunning(RuntimeError):
    """Another process holds the refresh lock."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.refresh.lock"


def acquire(warehouse: Path) -> IO[str]:
    """Take the lock or raise :class:`RefreshRunning` naming the holder's process id."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RefreshRunning(
            f"another refresh is running (process {holder}, lock {path}); "
            "DuckDB allows one writer: wait for it to finish"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def release(handle: IO[str] | None) -> None:
    if handle is not None and not handle.closed:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def is_running(warehouse: Path) -> bool:
    try:
        release(acquire(warehouse))
    except RefreshRunning:
        return True
    return False
