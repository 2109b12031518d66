from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.loader import ingest_source

HEADER = "response_id,customer_id,responded_at,store_id,touchpoint,score,comment"


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield c
    c.close()


def ledger(con) -> list[tuple]:
    return con.execute(
        "SELECT file_name, rows_read, rows_loaded, rows_rejected, status, message "
        "FROM raw.ingest_ledger ORDER BY batch_id"
    ).fetchall()


def test_good_rows_load_and_bad_rows_are_kept_with_file_row_column_and_rule(
    tmp_path, con, contracts
):
    landing = tmp_path / "landing"
    write(
        landing / "nps_responses" / "nps_2025-01.csv",
        [
            HEADER,
            "R1,C1,2025-01-03 10:00:00,downtown,in_store,9,Lovely",
            "R2,,2025-01-04 11:30:00,riverside,delivery,4,cold coffee",
            "R3,C2,2025-01-05 09:00:00,downtown,in_store,11,too high",
            "R4,C3,not a time,downtown,in_store,8,",
        ],
    )
    results = ingest_source(con, contracts["nps_responses"], landing)
    assert [(r.rows_read, r.rows_loaded, r.rows_rejected, r.status) for r in results] == [
        (4, 2, 2, "partial")
    ]
    raw = con.execute(
        "SELECT response_id, score, _batch_id, _source_file, _row_number "
        "FROM raw.nps_responses ORDER BY 1"
    ).fetchall()
    assert raw == [
        ("R1", 9, 1, "nps_responses/nps_2025-01.csv", 1),
        ("R2", 4, 1, "nps_responses/nps_2025-01.csv", 2),
    ]
    rejected = con.execute(
        "SELECT _source_file, _row_number, _column, _rule, _reason, _raw_record "
        "FROM raw.nps_responses__rejected ORDER BY _row_number"
    ).fetchall()
    assert [(r[1], r[2], r[3]) for r in rejected] == [
        (3, "score", "maximum"),
        (4, "responded_at", "type_timestamp"),
    ]
    assert '"score":"11"' in rejected[0][5]
    message = results[0].message
    assert "nps_responses/nps_2025-01.csv" in message and "row 3: score: maximum" in message


def test_a_file_missing_a_required_column_is_rejected_whole_and_the_others_load(
    tmp_path, con, contracts
):
    landing = tmp_path / "landing"
    write(
        landing / "nps_responses" / "a_good.csv",
        [HEADER, "R1,C1,2025-01-03 10:00:00,downtown,in_store,9,ok"],
    )
    write(
        landing / "nps_responses" / "b_no_score.csv",
        [
            "response_id,customer_id,responded_at,store_id,touchpoint,comment",
            "R2,C1,2025-01-03 10:00:00,downtown,in_store,hello",
            "R3,C1,2025-01-03 10:00:00,downtown,in_store,again",
        ],
    )
    write(
        landing / "nps_responses" / "c_good.csv",
        [HEADER, "R4,C1,2025-01-05 10:00:00,riverside,in_store,7,"],
    )
    ingest_source(con, contracts["nps_responses"], landing)
    rows = ledger(con)
    assert [(f, rd, lo, rj, st) for f, rd, lo, rj, st, _ in rows] == [
        ("nps_responses/a_good.csv", 1, 1, 0, "loaded"),
        ("nps_responses/b_no_score.csv", 2, 0, 2, "rejected"),
        ("nps_responses/c_good.csv", 1, 1, 0, "loaded"),
    ]
    message = rows[1][5]
    assert "nps_responses/b_no_score.csv" in message and "lacks required column(s) score" in message
    kept = con.execute(
        "SELECT _row_number, _rule, _column FROM raw.nps_responses__rejected ORDER BY 1"
    ).fetchall()
    assert kept == [(1, "required_column", "score"), (2, "required_column", "score")]
    assert con.execute("SELECT count(*) FROM raw.nps_responses").fetchall() == [(2,)]


def test_rerun_loads_nothing_again_and_same_content_under_another_name_is_recorded_not_loaded(
    tmp_path, con, contracts
):
    landing = tmp_path / "landing"
    lines = [
        HEADER,
        "R1,C1,2025-01-03 10:00:00,downtown,in_store,9,ok",
        "R2,C2,2025-01-03 12:00:00,riverside,in_store,6,meh",
    ]
    write(landing / "nps_responses" / "jan.csv", lines)
    ingest_source(con, contracts["nps_responses"], landing)
    assert ingest_source(con, contracts["nps_responses"], landing) == []
    write(landing / "nps_responses" / "jan_copy.csv", lines)
    again = ingest_source(con, contracts["nps_responses"], landing)
    assert [(r.file_name, r.status, r.rows_loaded) for r in again] == [
        ("nps_responses/jan_copy.csv", "duplicate", 0)
    ]
    assert "same content as nps_responses/jan.csv" in again[0].message
    assert ingest_source(con, contracts["nps_responses"], landing) == []
    assert con.execute("SELECT count(*) FROM raw.nps_responses").fetchall() == [(2,)]
    assert con.execute("SELECT count(*) FROM raw.ingest_ledger").fetchall() == [(2,)]


def test_extra_and_reordered_columns_are_read_by_header_name(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(
        landing / "nps_responses" / "x.csv",
        [
            "score,unknown_extra,store_id,response_id,touchpoint,responded_at",
            "10,zzz,market_square,R9,online_order,2025-03-01 08:00:00",
        ],
    )
    [res] = ingest_source(con, contracts["nps_responses"], landing)
    assert (
        res.status == "loaded"
        and "ignored columns not in the contract: unknown_extra" in res.message
    )
    assert con.execute(
        "SELECT response_id, store_id, score, customer_id FROM raw.nps_responses"
    ).fetchall() == [("R9", "market_square", 10, None)]


def test_an_empty_file_is_recorded_with_zero_rows(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(landing / "nps_responses" / "empty.csv", [HEADER])
    [res] = ingest_source(con, contracts["nps_responses"], landing)
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.status) == (0, 0, 0, "empty")
