"""Is each source still arriving? The expected cadence of a source is in its contract (ODCS
``slaProperties``: ``frequency`` and ``latency``); its last arrival is the newest file of that
source that loaded at least one row (``raw.ingest_ledger``). A source is late when its last
arrival is older than frequency + latency. A source that never sent a file is not late: every
source is optional. A file whose rows were all rejected is no arrival (nothing usable came).

Lateness is measured from arrivals, not from the dates inside the data: history loaded today
is on time, and a refresh that reads last year's export again is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb

from dagster_project.contracts import Contract
from dagster_project.tables import replace_table, table

ARRIVAL_CHECK = "arriving_on_time"  # the Dagster asset check on each raw/<source> asset

ARRIVALS_SQL = """
SELECT source, max(loaded_at) AS last_file_at, count(*) AS files
FROM raw.ingest_ledger
WHERE rows_loaded > 0
GROUP BY source
"""


@dataclass(frozen=True)
class Arrival:
    source: str
    expected_every_days: float | None
    late_after_days: float | None
    last_file_at: dt.datetime | None  # UTC, naive (as the ledger stores it)
    files_loaded: int
    days_since_last_file: float | None
    is_late: bool
    message: str


def _days(value: float) -> str:
    whole = round(value)
    return f"{whole} day{'s' if whole != 1 else ''}" if value >= 1 else "less than a day"


def assess(
    contract: Contract, last_file_at: dt.datetime | None, files: int, now: dt.datetime
) -> Arrival:
    """One source's arrival against its contract's cadence; ``now`` in UTC, naive."""
    since = (now - last_file_at).total_seconds() / 86400 if last_file_at else None
    limit = contract.late_after_days
    late = since is not None and limit is not None and since > limit
    if last_file_at is None:
        message = f"{contract.name}: no file loaded yet"
    elif late:
        message = (
            f"{contract.name} is late: its last file arrived {_days(since)} ago "
            f"({last_file_at:%Y-%m-%d %H:%M} UTC); one is expected every "
            f"{_days(contract.arrives_every_days or 0)} (late after {_days(limit)}, "
            f"{contract.path.name} slaProperties)"
        )
    elif limit is None:
        message = f"{contract.name}: last file {_days(since)} ago; no cadence expected"
    else:
        message = (
            f"{contract.name}: on time, last file {_days(since)} ago (late after {_days(limit)})"
        )
    return Arrival(
        contract.name,
        contract.arrives_every_days,
        limit,
        last_file_at,
        files,
        since,
        late,
        message,
    )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def arrivals(
    con: duckdb.DuckDBPyConnection,
    contracts: dict[str, Contract],
    now: dt.datetime | None = None,
) -> dict[str, Arrival]:
    """Every contract's arrival, by source name (a warehouse without a ledger: none arrived)."""
    now = now or utc_now()
    has_ledger = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
        "AND table_name = 'ingest_ledger' AND database_name = current_database()"
    ).fetchall()[0][0]
    seen = {s: (t, n) for s, t, n in con.execute(ARRIVALS_SQL).fetchall()} if has_ledger else {}
    return {
        name: assess(c, *seen.get(name, (None, 0)), now=now)
        for name, c in sorted(contracts.items())
    }


def record(con: duckdb.DuckDBPyConnection, found: dict[str, Arrival], now: dt.datetime) -> None:
    """Write ``raw.source_arrivals`` (the Data quality page reads it through its mart)."""
    rows = [{**asdict(a), "checked_at": now} for a in found.values()]
    replace_table(con, "raw.source_arrivals", table("raw.source_arrivals").frame(rows))
