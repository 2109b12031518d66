"""Online reviews from the exports owners can get (tests/fixtures/reviews: a Google Business
Profile reviews JSON as its API returns it, a Trustpilot review download, reviews copied by hand
from Yelp, Tripadvisor and OpenTable), mapped onto the online_reviews contract with every row
loaded or rejected for a reason; and JSON landing files that are not what they claim."""

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import ReadOptions, load_contracts
from dagster_project.ingest import json_export
from dagster_project.ingest.loader import ingest_source, ingest_unrecognised
from tests.conftest import ROOT

CONTRACTS = ROOT / "data_contracts"
FIXTURES = ROOT / "tests" / "fixtures" / "reviews"
LONDON = ReadOptions(today=dt.date(2026, 11, 23), timezone="Europe/London")


def load(landing: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ingest_source(con, load_contracts(CONTRACTS)["online_reviews"], landing, LONDON)
    ingest_unrecognised(con, landing, CONTRACTS)
    return con


@pytest.fixture(scope="module")
def reviews() -> duckdb.DuckDBPyConnection:
    return load(FIXTURES)


def test_every_row_of_every_review_export_is_loaded_or_rejected_with_its_rule(reviews):
    assert reviews.execute(
        "SELECT file_name, rows_read, rows_loaded, rows_rejected, status FROM raw.ingest_ledger "
        "ORDER BY file_name"
    ).fetchall() == [
        ("google_business_reviews.json", 6, 5, 1, "partial"),
        ("hand_copied_reviews.csv", 5, 4, 1, "partial"),
        ("trustpilot_reviews.csv", 5, 4, 1, "partial"),
    ]
    assert reviews.execute(
        "SELECT _source_file, _row_number, _column, _rule FROM raw.online_reviews__rejected "
        "ORDER BY 1"
    ).fetchall() == [
        ("google_business_reviews.json", 6, "rating", "required"),  # STAR_RATING_UNSPECIFIED
        ("hand_copied_reviews.csv", 5, "review_id", "required"),  # no date: no id, no time
        ("trustpilot_reviews.csv", 5, "rating", "not_above"),  # 9 stars out of 5
    ]


def test_google_reviews_keep_their_location_words_reply_and_local_time(reviews):
    got = reviews.execute(
        "SELECT review_id, store_id, rating, review_text IS NULL, author_name, created_at, "
        "reply_text IS NOT NULL, replied_at FROM raw.online_reviews WHERE platform = 'google' "
        "ORDER BY review_id"
    ).fetchall()
    assert [r[0] for r in got] == [f"google-AbFvOqnX{i}" for i in range(1, 6)]
    assert [r[1] for r in got] == ["5517201"] * 3 + ["7730044"] * 2  # from "name"
    assert [r[2] for r in got] == [5.0, 4.0, 2.0, 1.0, 3.0]  # FIVE, FOUR, TWO, ONE, THREE
    assert got[1][3] is True  # a rating without words
    assert got[1][4] == "A Google user"
    # RFC 3339 UTC (micro- and nanoseconds) in the business's time: BST in October
    assert got[0][5] == dt.datetime(2026, 10, 3, 10, 41, 12)
    assert got[3][5] == dt.datetime(2026, 10, 20, 17, 47, 3)
    assert got[4][5] == dt.datetime(2026, 11, 2, 10, 5)  # GMT again in November
    assert got[2][6:] == (True, dt.datetime(2026, 10, 15, 11, 30))


def test_trustpilot_and_hand_copied_reviews_map_titles_scales_and_dates(reviews):
    got = dict(
        (r[0], r[1:])
        for r in reviews.execute(
            "SELECT review_id, platform, rating, rating_scale, title, experience_date, "
            "created_at, replied_at FROM raw.online_reviews WHERE platform <> 'google'"
        ).fetchall()
    )
    assert got["trustpilot-64f1a2b3c4d5e6f708192a3c"] == (
        "trustpilot", 1.0, 5, "Order never came", dt.date(2026, 9, 28),
        dt.datetime(2026, 10, 9, 8, 30, 45), None,
    )  # fmt: skip
    assert got["Yelp-November 3, 2026-2"] == (
        "yelp",
        2.0,
        5,
        None,
        None,
        dt.datetime(2026, 11, 3),
        dt.datetime(2026, 11, 5, 9, 0),
    )  # "2 stars"; fmt: skip
    assert got["Yelp-November 3, 2026-1"][1] == 4.0  # "4/5"
    assert got["OpenTable-2026-10-30 19:45-1"][:3] == ("opentable", 9.0, 10)  # any platform
    multi_line = reviews.execute(
        "SELECT review_text FROM raw.online_reviews "
        "WHERE review_id = 'trustpilot-64f1a2b3c4d5e6f708192a3c'"
    ).fetchone()[0]
    assert multi_line.endswith("Still waiting for the refund two weeks later.")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


GOOD = {"reviewId": "r1", "starRating": "FIVE", "createTime": "2026-11-01T10:00:00Z"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{not json",
            "not valid JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1))",
        ),
        ('"just a string"', "holds no list of records (objects)"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply to be an export"),
        (
            '{"reviews": [' + '{"a": ' * 5000 + "1" + "}" * 5000 + "]}",
            "nested too deeply to be an export",
        ),
    ],
)
def test_a_json_file_that_is_no_export_is_recorded_unread(tmp_path, text, expected):
    shutil.copy(FIXTURES / "google_business_reviews.json", tmp_path / "good.json")
    write(tmp_path, "broken.json", text)
    con = load(tmp_path)
    ledger = dict(
        (name, (status, message))
        for name, status, message in con.execute(
            "SELECT file_name, status, message FROM raw.ingest_ledger"
        ).fetchall()
    )
    assert ledger["good.json"][0] == "partial"  # the other file is not held up
    assert ledger["broken.json"] == ("unreadable", f"broken.json: not read: {expected}")
    assert json_export.header(tmp_path / "broken.json") == []
    with pytest.raises(json_export.NotRecords):
        json_export.load(tmp_path / "broken.json")


def test_json_items_that_are_not_records_are_rejected_and_nesting_is_flattened(tmp_path):
    doc = {
        "reviews": [
            GOOD,
            "a stray string",
            {**GOOD, "reviewId": "r2", "reviewMediaItems": [{"googleUrl": "x"}],
             "reviewer": {"displayName": "Ann", "profile": {"isAnonymous": False}}},
        ],
        "tags": ["a", "b"],
    }  # fmt: skip
    path = write(tmp_path / "in", "reviews.json", json.dumps(doc))
    names, rows, odd = json_export.load(path)
    assert "reviewer.profile.isAnonymous" in names and "reviewMediaItems" in names
    assert rows[2]["reviewMediaItems"] == '[{"googleUrl": "x"}]'
    assert rows[2]["reviewer.profile.isAnonymous"] == "false"
    assert odd == [(2, "a list item that is not a record", '"a stray string"')]
    con = load(tmp_path / "in")
    assert con.execute(
        "SELECT rows_read, rows_loaded, rows_rejected FROM raw.ingest_ledger"
    ).fetchall() == [(3, 2, 1)]
    assert con.execute(
        "SELECT _row_number, _rule FROM raw.online_reviews__rejected"
    ).fetchall() == [(2, "field_count")]


def test_an_empty_export_and_an_oversized_one(tmp_path, monkeypatch):
    empty = write(tmp_path, "none.json", '{"reviews": [], "totalReviewCount": 0}')
    assert json_export.load(empty) == ([], [], [])
    monkeypatch.setattr(json_export, "MAX_JSON_BYTES", 10)
    with pytest.raises(json_export.NotRecords, match="more than 10"):
        json_export.load(write(tmp_path, "big.json", json.dumps([GOOD])))
