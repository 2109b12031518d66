"""Build the owner's site alone from an analyst copy (the report-build benchmark).

python -m benchmarks.build_report_only ANALYTICS.duckdb OUT_DIR
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from reports.build import build_site

if __name__ == "__main__":
    out = Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    summary = build_site(Path(sys.argv[1]), out)
    print(
        f"{len(summary.pages)} pages, {len(summary.charts)} charts in {time.monotonic() - start:.1f} s"
    )
