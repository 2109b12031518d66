"""The Data quality page: what was loaded, rejected and why, ids the profile does not know, and every check."""

from __future__ import annotations

import duckdb

from reports.context import ReportContext
from reports.formatting import show
from reports.queries import run_query


def _every(days: float | None) -> str:
    if days is None:
        return "no cadence set"
    named = {1: "day", 7: "week", 31: "month"}
    return f"every {named[int(days)]}" if days in named else f"every {days:g} days"


def arrival_rows(ctx: ReportContext) -> list[dict]:
    """Each source's last file against the cadence its contract expects."""
    fresh = ctx.freshness
    rows = []
    for source, (last, limit, every) in sorted(fresh.arrivals.items()):
        since = fresh.days_since_file(source)
        late = last is not None and limit is not None and since is not None and since > limit
        rows.append(
            {
                "source": source,
                "expected": _every(every)
                + (f", late after {limit:g} days" if limit is not None else ""),
                "last_file": last,
                "days": None if since is None else round(since),
                "status": "LATE: has this export stopped?" if late else "on time",
                "newest_data": fresh.by_source.get(source),
            }
        )
    return rows


def quality_page(con: duckdb.DuckDBPyConnection, ctx: ReportContext | None = None) -> dict:
    sources = run_query(con, "data_quality")
    rules = run_query(con, "rejections_by_rule")
    checks = run_query(con, "check_results")
    passed = sum(c["passed"] for c in checks)
    last = max((c["checked_at"] for c in checks), default=None)
    read = sum(r["rows_read"] or 0 for r in sources)
    rejected = sum(r["rows_rejected"] or 0 for r in sources)
    tiles = [
        {
            "kpi": "last_refresh",
            "label": "Last refresh",
            "display": f"{last:%Y-%m-%d %H:%M} UTC" if last else "–",
            "extra": None,
            "definition": "When the checks of the published refresh ran.",
            "n": None,
        },
        {
            "kpi": "checks",
            "label": "Checks passed",
            "display": f"{passed} of {len(checks)}",
            "extra": None,
            "definition": "dbt tests, Great Expectations suites and the row "
            "accounting check of the refresh; a failing blocking check stops publishing.",
            "n": None,
        },
        {
            "kpi": "files",
            "label": "Files loaded",
            "display": show(sum(r["files"] or 0 for r in sources)),
            "extra": None,
            "definition": "Landing files processed, all sources.",
            "n": None,
        },
        {
            "kpi": "rejected",
            "label": "Rows rejected",
            "display": show(rejected),
            "extra": f"{100 * rejected / max(read, 1):.3f}% of {read:,} rows read",
            "definition": "Rows that broke a rule of their data contract; kept with the reason.",
            "n": read,
        },
    ]
    attention = run_query(con, "files_needing_attention")
    unlisted = run_query(con, "values_seen")
    tables = [
        {
            "title": "Files that were not loaded",
            "note": "Files rejected whole, unreadable, or in no known export format (the "
            "message lists the closest known formats and the headers they expect). Their rows "
            "are kept in raw.<source>__rejected or raw.unrecognised_files__rejected. Links, "
            "pipes and devices in landing/ are refused unread: copy the export itself there.",
            "personal": False,
            "columns": [
                ("File", "file_name"),
                ("Source", "source"),
                ("Status", "status"),
                ("Rows", "rows_read"),
                ("Message", "message"),
                ("Loaded at (UTC)", "loaded_at"),
            ],
            "rows": attention,
        },
        *(
            [
                {
                    "title": "Stores, roles and categories not in your business profile",
                    "note": "Their rows are loaded and counted like any other. A new one is a "
                    "new store or role, or a misspelt id in an export: add it with its name to "
                    "config/business.yaml (or correct the export), and the next refresh shows "
                    "it under its name.",
                    "personal": False,
                    "columns": [
                        ("Kind", "kind"),
                        ("Id in the exports", "value"),
                        ("Status", "status"),
                        ("Rows", "rows"),
                        ("Sources", "sources"),
                        ("First seen", "first_seen"),
                        ("Last seen", "last_seen"),
                    ],
                    "rows": unlisted,
                }
            ]
            if unlisted
            else []
        ),
        *(
            [
                {
                    "title": "Is each export still arriving?",
                    "note": "How often a new file of each source is expected is set in its "
                    "data contract (slaProperties frequency and latency, data_contracts/); a "
                    "source whose last file is older than that is late, the refresh ends with "
                    "a warning and the operator is alerted. History loaded today is on time.",
                    "personal": False,
                    "columns": [
                        ("Source", "source"),
                        ("Expected", "expected"),
                        ("Last file (UTC)", "last_file"),
                        ("Days since", "days"),
                        ("Status", "status"),
                        ("Newest data", "newest_data"),
                    ],
                    "rows": arrival_rows(ctx),
                }
            ]
            if ctx is not None and ctx.freshness.arrivals
            else []
        ),
        {
            "title": "Sources",
            "note": "Every row read is loaded or rejected (rows read = loaded + "
            "rejected). Duplicate files had the same content as a file loaded before.",
            "personal": False,
            "columns": [
                ("Source", "source"),
                ("Files", "files"),
                ("Rejected whole", "files_rejected"),
                ("Duplicates", "files_duplicate"),
                ("Rows read", "rows_read"),
                ("Loaded", "rows_loaded"),
                ("Rejected", "rows_rejected"),
                ("Rejected %", "rejected_pct"),
                ("Latest file", "last_file"),
                ("Loaded at (UTC)", "last_loaded_at"),
            ],
            "rows": sources,
        },
        {
            "title": "Rejected rows by rule",
            "note": "All rejected rows are in raw.<source>__rejected "
            "with the file, row, column, rule and the raw record.",
            "personal": False,
            "columns": [
                ("Source", "source"),
                ("Column", "column_name"),
                ("Rule", "rule"),
                ("Rows", "rows_rejected"),
                ("Files", "files"),
                ("Example", "example_row"),
                ("Reason", "example_reason"),
            ],
            "rows": rules,
        },
        {
            "title": "Checks of the latest refresh",
            "note": "Failed checks first.",
            "personal": False,
            "columns": [
                ("Asset", "asset"),
                ("Check", "check_name"),
                ("Result", "result"),
                ("If it fails", "if_it_fails"),
                ("Details", "description"),
            ],
            "rows": [
                c
                | {
                    "result": "passed"
                    if c["passed"]
                    else "WARNING"
                    if c["severity"] == "WARN"
                    else "FAILED",
                    "if_it_fails": "publishing stops" if c["blocking"] else "a warning only",
                }
                for c in checks
            ],
        },
    ]
    return {
        "tiles": tiles,
        "charts": [],
        "tables": tables,
    }


def build(ctx: ReportContext) -> dict:
    return quality_page(ctx.con, ctx)
