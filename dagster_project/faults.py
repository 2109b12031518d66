"""Pause points for the crash tests.

A refresh started with ``EMPATHY_PAUSE_AT=<point>`` writes the file named by
``EMPATHY_PAUSE_FILE`` when it reaches that point and waits there, so that a test can kill the
process (SIGKILL) at a known moment: mid-way through loading a file, with dbt half-way through
its build, half-way through writing the report, and between publishing the analyst copy and
the site. Unset (as always in production), a point costs one environment lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("ingest", "dbt", "report", "publish")


def pause_point(name: str) -> None:
    if os.environ.get("EMPATHY_PAUSE_AT") != name:
        return
    Path(os.environ["EMPATHY_PAUSE_FILE"]).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("EMPATHY_PAUSE_SECONDS", "600")))
