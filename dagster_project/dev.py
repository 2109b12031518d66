"""``make dev``: the Dagster UI, daemon, schedule and sensors, stopped cleanly by Ctrl-C.

``dagster dev`` runs the webserver, the daemon and the code servers as child processes. Ctrl-C
in a terminal interrupts every one of them at once, and ``dagster dev`` then waits up to a
minute for children that are already going, or ignores a second interrupt. Here it runs in a
process group of its own: the first Ctrl-C (or SIGTERM from a service manager) asks it to shut
down, and whatever is still running after ``GRACE_SECONDS`` is stopped. A refresh stopped half
way publishes nothing (publishing is atomic); the next refresh marks its run failed and starts
again (``python -m dagster_project.run``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_SECONDS = 10.0
KILL_SECONDS = 5.0


def command(host: str, port: str) -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [
        str(dagster),
        "dev",
        "-m",
        "dagster_project.definitions",
        "-h",
        host,
        "-p",
        port,
    ]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(proc: subprocess.Popen, grace: float = GRACE_SECONDS) -> int:
    """Ask ``dagster dev`` to shut down, then stop what is left of its process group."""
    pgid = proc.pid  # start_new_session: the child leads its own group
    try:
        proc.send_signal(signal.SIGINT)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (proc.poll() is None or _group_alive(pgid)):
        time.sleep(0.2)
    for sig, wait in ((signal.SIGTERM, KILL_SECONDS), (signal.SIGKILL, KILL_SECONDS)):
        if not _group_alive(pgid) and proc.poll() is not None:
            break
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        end = time.monotonic() + wait
        while time.monotonic() < end and _group_alive(pgid):
            time.sleep(0.2)
    try:
        return proc.wait(timeout=KILL_SECONDS)
    except subprocess.TimeoutExpired:
        return -9


def main() -> int:
    host = os.environ.get("DAGSTER_HOST", "127.0.0.1")
    port = os.environ.get("DAGSTER_PORT", "3000")
    proc = subprocess.Popen(command(host, port), start_new_session=True)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        if not stopping:
            stopping = True
            print(
                f"\nStopping the Dagster UI and daemon (at most {GRACE_SECONDS + 2 * KILL_SECONDS:.0f} s)...",
                file=sys.stderr,
                flush=True,
            )
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        code = proc.wait()
        return code
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut this short
        code = stop(proc)
        print("Dagster stopped.", file=sys.stderr, flush=True)
        return 0 if code in (0, -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL) else code


if __name__ == "__main__":
    sys.exit(main())
