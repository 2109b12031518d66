"""``make formats FILES=...``: what the refresh would do with a file, before it is dropped in.

For each file: which export format it is in (or the closest known ones), then, for every
source it feeds, the file is read and validated exactly as a refresh reads it (the same reader,
vendor mapping and contract rules, into a throw-away in-memory database): a required column
missing, values of the wrong type or outside their rules, with the row, column and rule of the
first rejections. Nothing is written to the warehouse. Checked on its own: a key already loaded
from an earlier file is not compared.

Exit status: 0 when every file would load (some rows may still be rejected: they are listed),
1 when a file is in no known format, unreadable or would be rejected whole.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import duckdb

from dagster_project.contracts import Contract, load_contracts
from dagster_project.ingest.formats import (
    VendorFormat,
    classify,
    describe_file,
    load_formats,
    read_header,
)
from dagster_project.ingest.loader import ensure_tables, load_file
from dagster_project.settings import load_settings

SHOW_REJECTIONS = 5


def check_file(
    path: Path,
    contracts: dict[str, Contract],
    formats: tuple[VendorFormat, ...],
    options=None,
) -> tuple[list[str], bool]:
    """(lines to print, would load): the file as the refresh would read it."""
    lines = [describe_file(path, contracts, formats)]
    header = (read_header(path) or [[]])[0]
    fmt, feeds, _ = classify(header, path.parent.name, contracts, formats)
    if not feeds:
        return lines, False
    ok = True
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE SCHEMA raw")
        for name in feeds:
            contract = contracts[name]
            ensure_tables(con, contract)
            try:
                result = load_file(con, contract, path, path.parent, options, fmt)
            except Exception as exc:  # the refresh would record it as unreadable
                lines.append(f"  {name}: would not be read: {exc}")
                ok = False
                continue
            if result is None:
                continue
            verdict = {
                "loaded": "would load every row",
                "partial": "would load, with rows rejected",
                "rejected": "WOULD BE REJECTED WHOLE",
                "unreadable": "WOULD NOT BE READ",
                "empty": "has no data rows",
            }.get(result.status, result.status)
            lines.append(f"  {name}: {verdict}: {result.message}")
            ok = ok and result.status not in ("rejected", "unreadable")
            examples = con.execute(
                f'SELECT _row_number, _column, _rule, _reason FROM raw."{name}__rejected" '
                f"ORDER BY _row_number LIMIT {SHOW_REJECTIONS}"
            ).fetchall()
            if result.status == "partial" or (result.status == "rejected" and examples):
                for row, column, rule, reason in examples:
                    lines.append(f"    row {row}, column {column}, rule {rule}: {reason}")
                if result.rows_rejected > len(examples):
                    lines.append(f"    ... and {result.rows_rejected - len(examples)} more rows")
    finally:
        con.close()
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: make formats FILES='export.csv other.csv'", file=sys.stderr)
        return 2
    logging.getLogger("dagster_project.ingest.loader").setLevel(logging.ERROR)  # said below
    settings = load_settings()
    contracts, formats = (
        load_contracts(settings.contracts_dir),
        load_formats(settings.contracts_dir),
    )
    all_ok = True
    for path in paths:
        if not path.is_file():
            print(f"{path}: not a file")
            all_ok = False
            continue
        lines, ok = check_file(path.resolve(), contracts, formats, settings.read_options)
        all_ok = all_ok and ok
        print("\n".join(lines))
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
