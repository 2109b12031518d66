"""Great Expectations' SQL route over the DuckDB warehouse: the documented workaround makes it
report injected defects, and when the workaround no longer applies the same rows are validated
through the pandas route, with a warning."""

from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import raw_table_ddl
from dagster_project.quality import gx_suite

GOOD = [
    ("r1", "c1", "2025-01-01 10:00:00", "downtown", "in_store", 9, "lovely"),
    ("r2", None, "2025-01-02 11:00:00", "riverside", "delivery", 3, None),
    ("r3", "c3", "2025-01-03 12:00:00", "downtown", "support", 10, "quick"),
]
# four defects in batch 2, each breaking one expectation of the contract
DEFECTS = [
    ("r4", "c4", None, "downtown", "in_store", 8, None),  # responded_at required
    ("r5", "c5", "2025-01-05 10:00:00", "downtown", "in_store", 12, None),  # score 0..10
    ("r6", "c6", "2025-01-06 10:00:00", "downtown", "by_pigeon", 7, None),  # touchpoint set
    ("r7", "c7", "2025-01-07 10:00:00", None, "in_store", 7, None),  # store_id required
]


@pytest.fixture
def warehouse(tmp_path, contracts) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute(raw_table_ddl(contracts["nps_responses"]))
    for batch, rows in ((1, GOOD), (2, GOOD[:1] + DEFECTS)):
        con.executemany(
            "INSERT INTO raw.nps_responses (response_id, customer_id, responded_at, store_id, "
            "touchpoint, score, comment, _batch_id, _source_file, _row_number, _loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'f.csv', 1, now())",
            [[*r, batch] for r in rows],
        )
    con.close()
    return path


def failed_columns(outcome) -> set[tuple[str, str]]:
    return {(f.split(" on ")[0], f.split(" on ")[1].split(":")[0]) for f in outcome.failed}


EXPECTED = {
    ("expect_column_values_to_not_be_null", "responded_at"),
    ("expect_column_values_to_be_between", "score"),
    ("expect_column_values_to_be_in_set", "touchpoint"),
    ("expect_column_values_to_not_be_null", "store_id"),
}


def test_the_sql_route_passes_good_batches_and_reports_every_injected_defect(warehouse, contracts):
    nps = contracts["nps_responses"]
    good = gx_suite.validate_sql(nps, warehouse, [(1, 3)])
    assert good.route == gx_suite.SQL_ROUTE
    assert good.success and good.failed == [] and good.rows == 3
    assert good.evaluated == len(gx_suite.expectation_suite(nps).expectations)

    bad = gx_suite.validate_sql(nps, warehouse, [(1, 3), (2, 5)])
    assert not bad.success
    assert failed_columns(bad) == EXPECTED
    assert all(f.endswith(": 1 unexpected") for f in bad.failed), bad.failed
    # the file was opened read-only and closed again: a writer can open it now
    duckdb.connect(str(warehouse)).close()


def test_without_the_workaround_the_sql_route_fails_and_the_pandas_route_takes_over(
    warehouse, contracts, monkeypatch
):
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    nps = contracts["nps_responses"]
    # GX as released: duckdb not among the dialects whose connection it keeps open
    monkeypatch.setattr(
        engine,
        "_PERSISTED_CONNECTION_DIALECTS",
        tuple(d for d in engine._PERSISTED_CONNECTION_DIALECTS if d != "duckdb"),
    )
    monkeypatch.setattr(gx_suite, "enable_sql_route", lambda: None)
    with pytest.raises(gx_suite.SqlRouteUnavailable, match="expect_column"):
        gx_suite.validate_sql(nps, warehouse, [(2, 5)])

    warnings: list[str] = []

    def read_pandas(group: list[int]):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.sql(gx_suite.batch_query(nps, group)).df()
        finally:
            con.close()

    outcome = gx_suite.validate_batches(
        nps, warehouse, [(1, 3), (2, 5)], read_pandas, chunk_rows=4, warn=warnings.append
    )
    assert outcome.route == gx_suite.PANDAS_ROUTE
    assert failed_columns(outcome) == EXPECTED
    assert outcome.rows == 8  # two chunks of at most 4 rows (one batch each)
    assert len(warnings) == 1 and "pandas route" in warnings[0] and "nps_responses" in warnings[0]


def test_a_gx_release_without_the_tuple_is_refused_by_the_workaround(monkeypatch):
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    monkeypatch.delattr(engine, "_PERSISTED_CONNECTION_DIALECTS")
    with pytest.raises(gx_suite.SqlRouteUnavailable, match="_PERSISTED_CONNECTION_DIALECTS"):
        gx_suite.enable_sql_route()
