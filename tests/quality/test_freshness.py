"""Is each source still arriving: the cadence in the contract, the last file in the ledger."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts.model import ContractError, parse_contract
from dagster_project.quality import freshness
from tests.conftest import ROOT

NOW = dt.datetime(2026, 12, 4, 6, 0)


def test_every_shipped_contract_sets_a_cadence(contracts):
    cadence = {name: (c.arrives_every_days, c.late_after_days) for name, c in contracts.items()}
    assert cadence["pos_transactions"] == (1.0, 2.0)  # a day, late after two
    assert cadence["crm_customers"] == (7.0, 9.0)
    assert cadence["nps_responses"] == (31.0, 38.0)  # a month counts 31 days
    assert cadence["hr_engagement_responses"] == (31.0, 62.0)
    assert all(every is not None for every, _ in cadence.values())


def test_a_source_is_late_only_past_frequency_plus_latency(contracts):
    pos = contracts["pos_transactions"]
    on_time = freshness.assess(pos, NOW - dt.timedelta(days=1, hours=23), 5, NOW)
    assert not on_time.is_late and "on time" in on_time.message
    late = freshness.assess(pos, NOW - dt.timedelta(days=2, hours=1), 5, NOW)
    assert late.is_late
    assert late.message == (
        "pos_transactions is late: its last file arrived 2 days ago (2026-12-02 05:00 UTC); "
        "one is expected every 1 day (late after 2 days, pos_transactions.yaml slaProperties)"
    )
    never = freshness.assess(pos, None, 0, NOW)  # every source is optional
    assert not never.is_late and never.message == "pos_transactions: no file loaded yet"
    no_cadence = replace(pos, arrives_every_days=None)
    old = freshness.assess(no_cadence, NOW - dt.timedelta(days=400), 5, NOW)
    assert not old.is_late and "no cadence expected" in old.message


def test_arrivals_come_from_files_that_loaded_rows(contracts):
    con = duckdb.connect()
    assert not any(a.is_late for a in freshness.arrivals(con, contracts, NOW).values())
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.ingest_ledger (source VARCHAR, rows_loaded BIGINT, loaded_at TIMESTAMP)"
    )
    con.executemany(
        "INSERT INTO raw.ingest_ledger VALUES (?, ?, ?)",
        [
            ("support_tickets", 10, NOW - dt.timedelta(days=20)),
            ("support_tickets", 0, NOW - dt.timedelta(hours=2)),  # rejected whole: no arrival
            ("nps_responses", 4, NOW - dt.timedelta(days=20)),  # monthly: on time
        ],
    )
    found = freshness.arrivals(con, contracts, NOW)
    assert set(found) == set(contracts)
    assert found["support_tickets"].is_late and found["support_tickets"].files_loaded == 1
    assert not found["nps_responses"].is_late
    freshness.record(con, found, NOW)
    assert con.execute(
        "SELECT source, is_late, round(days_since_last_file) FROM raw.source_arrivals "
        "WHERE files_loaded > 0 ORDER BY 1"
    ).fetchall() == [("nps_responses", False, 20.0), ("support_tickets", True, 20.0)]


@pytest.mark.parametrize(
    ("sla", "error"),
    [
        ("[{property: frequency, value: often, unit: d}]", "value must be a number"),
        ("[{property: frequency, value: 1, unit: fortnight}]", "a positive value in one of"),
        ("[{property: frequency, value: -1, unit: d}]", "a positive value in one of"),
    ],
)
def test_a_cadence_that_cannot_be_read_is_refused_naming_the_file(tmp_path: Path, sla, error):
    text = (ROOT / "data_contracts" / "nps_responses.yaml").read_text()
    start = text.index("slaProperties:")
    end = text.index("schema:")
    path = tmp_path / "nps_responses.yaml"
    path.write_text(text[:start] + f"slaProperties: {sla}\n" + text[end:])
    with pytest.raises(ContractError, match=error) as info:
        parse_contract(path)
    assert str(path) in str(info.value)
