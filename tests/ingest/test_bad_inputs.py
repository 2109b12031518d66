"""The catalogue of bad inputs (docs/bad_inputs.md): one test per row of its table.

Each case drops a file into a temporary landing folder, ingests it as the pipeline does, and
checks the ledger (read = loaded + rejected, status, message naming file/row/column/rule), the
rejected rows and their reasons, and the values of the rows that loaded.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import ReadOptions
from dagster_project.ingest.loader import ingest_source

NPS = "response_id,customer_id,responded_at,store_id,touchpoint,score,comment"
POS = (
    "transaction_id,transaction_at,store_id,customer_id,event_type,payment_method,"
    "gross_sales,discounts,net_sales,tax,refund_of_transaction_id,staff_id"
)
LINES = (
    "line_item_id,transaction_id,item_sku,item_name,category,quantity,unit_price,discount,net_sales"
)
OPTIONS = ReadOptions(timezone="Europe/London", date_order="DMY", today=dt.date(2026, 11, 23))


@pytest.fixture()
def wh(tmp_path, contracts):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))

    class Warehouse:
        landing = tmp_path / "landing"

        def __init__(self):
            self.con = con

        def drop(self, source: str, name: str, content: bytes | str) -> Path:
            path = self.landing / source / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            return path

        def ingest(self, source: str):
            return ingest_source(con, contracts[source], self.landing, OPTIONS)

        def rows(self, sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        def rejected(self, source: str) -> list[tuple]:
            return self.rows(
                f"SELECT _row_number, _column, _rule, _reason, _raw_record "
                f"FROM raw.{source}__rejected ORDER BY _source_file, _row_number"
            )

    yield Warehouse()
    con.close()


def accounted(result) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_rejected


def nps_rows(*rows: str) -> str:
    return "\n".join([NPS, *rows]) + "\n"


GOOD = "R1,C1,2026-01-03 10:00:00,downtown,in_store,9,Lovely"
GOOD2 = "R2,C2,2026-01-04 11:30:00,riverside,delivery,4,cold coffee"


def test_empty_file(wh):
    wh.drop("nps_responses", "empty.csv", b"")
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read) == ("empty", 0) and "empty file" in r.message
    accounted(r)


def test_header_only(wh):
    wh.drop("nps_responses", "header.csv", NPS + "\n")
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read) == ("empty", 0) and "header only" in r.message


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_semicolon_or_tab_delimiter(wh, delimiter, name):
    text = nps_rows(GOOD, "R2,C2,2026-01-04 11:30:00,riverside,delivery,4,cold; and late")
    lines = text.splitlines()
    # the comment of R2 holds the delimiter, so the export quotes it
    body = [ln.replace(",", delimiter) for ln in lines[:2]]
    body.append(delimiter.join(lines[2].split(",")[:6]) + delimiter + '"cold; and late"')
    wh.drop("nps_responses", "semi.csv", "\n".join(body) + "\n")
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.status) == (2, 2, "loaded")
    assert f"{name}-delimited" in r.message
    assert wh.rows("SELECT comment FROM raw.nps_responses ORDER BY 1") == [
        ("Lovely",),
        ("cold; and late",),
    ]


def test_utf8_byte_order_mark(wh):
    wh.drop("nps_responses", "bom.csv", b"\xef\xbb\xbf" + nps_rows(GOOD).encode())
    [r] = wh.ingest("nps_responses")
    assert (r.rows_loaded, r.status) == (1, "loaded") and "byte-order mark removed" in r.message
    assert wh.rows("SELECT response_id FROM raw.nps_responses") == [("R1",)]


def test_cp1252_encoding(wh):
    text = nps_rows("R1,C1,2026-01-03 10:00:00,downtown,in_store,9,Café crème – 5€")
    wh.drop("nps_responses", "win.csv", text.encode("cp1252"))
    [r] = wh.ingest("nps_responses")
    assert r.status == "loaded" and "Windows-1252" in r.message
    assert wh.rows("SELECT comment FROM raw.nps_responses") == [("Café crème – 5€",)]


def test_excel_scientific_ids_are_rejected_with_the_reason(wh):
    wh.drop("nps_responses", "sci.csv", nps_rows(GOOD, GOOD2.replace("R2", "5.70E+17")))
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.status) == (2, 1, 1, "partial")
    [(row, column, rule, reason, raw)] = wh.rejected("nps_responses")
    assert (row, column, rule) == (2, "response_id", "excel_scientific")
    assert "scientific notation" in reason and json.loads(raw)["response_id"] == "5.70E+17"
    assert "row 2" in r.message and "response_id/excel_scientific" in r.message


def test_excel_and_locale_money(wh):
    rows = [
        'T1,2026-01-03 10:00:00,downtown,,payment,card,"$1,234.56",0.00,"1,234.56",0,,',
        'T2,2026-01-03 10:05:00,downtown,,payment,card,"1.234,56","0,50","1.234,06",0,,',
        "T3,2026-01-03 10:10:00,downtown,,refund,card,(12.50),0,-12.50,0,T1,",
        "T4,2026-01-03 10:15:00,downtown,,payment,card,£ 8.00,0,8.00,0,,",
        "T5,2026-01-03 10:20:00,downtown,,payment,card,12.345,0,12.345,0,,",
    ]
    wh.drop("pos_transactions", "money.csv", "\n".join([POS, *rows]) + "\n")
    [r] = wh.ingest("pos_transactions")
    accounted(r)
    assert wh.rows(
        "SELECT transaction_id, gross_sales, discounts, net_sales FROM raw.pos_transactions "
        "ORDER BY 1"
    ) == [
        ("T1", Decimal("1234.56"), Decimal("0.00"), Decimal("1234.56")),
        ("T2", Decimal("1234.56"), Decimal("0.50"), Decimal("1234.06")),
        ("T3", Decimal("-12.50"), Decimal("0.00"), Decimal("-12.50")),
        ("T4", Decimal("8.00"), Decimal("0.00"), Decimal("8.00")),
    ]
    [(row, column, rule, reason, _)] = wh.rejected("pos_transactions")
    assert (row, column, rule) == (5, "gross_sales", "decimal_places")


def test_several_date_formats_and_time_zones(wh):
    rows = [
        "R1,C1,2026-01-03 10:00:00,downtown,in_store,9,iso",
        "R2,C1,2026-01-03T10:00:00Z,downtown,in_store,9,utc",
        "R3,C1,2026-07-03T10:00:00+02:00,downtown,in_store,9,offset",
        "R4,C1,25/01/2026 10:00,downtown,in_store,9,day first",
        "R5,C1,03/02/2026 08:15:00,downtown,in_store,9,day first (the file says so)",
        "R6,C1,the third of May,downtown,in_store,9,not a date",
    ]
    wh.drop("nps_responses", "dates.csv", nps_rows(*rows))
    [r] = wh.ingest("nps_responses")
    assert (r.rows_loaded, r.rows_rejected) == (5, 1)
    assert dict(wh.rows("SELECT response_id, responded_at FROM raw.nps_responses")) == {
        "R1": dt.datetime(2026, 1, 3, 10, 0),
        "R2": dt.datetime(2026, 1, 3, 10, 0),  # London is on UTC in January
        "R3": dt.datetime(2026, 7, 3, 9, 0),  # 08:00 UTC = 09:00 British Summer Time
        "R4": dt.datetime(2026, 1, 25, 10, 0),
        "R5": dt.datetime(2026, 2, 3, 8, 15),  # 25/01 in the same file: day first
    }
    [(row, column, rule, _, _)] = wh.rejected("nps_responses")
    assert (row, column, rule) == (6, "responded_at", "type_timestamp")


def test_month_first_dates_when_the_file_says_so(wh):
    rows = [
        "R1,C1,01/25/2026 10:00,downtown,in_store,9,",
        "R2,C1,02/03/2026 10:00,downtown,in_store,9,",
    ]
    wh.drop("nps_responses", "us.csv", nps_rows(*rows))
    wh.ingest("nps_responses")
    assert dict(wh.rows("SELECT response_id, responded_at FROM raw.nps_responses")) == {
        "R1": dt.datetime(2026, 1, 25, 10, 0),
        "R2": dt.datetime(2026, 2, 3, 10, 0),
    }


def test_missing_required_column_rejects_the_file_and_keeps_its_rows(wh):
    header = NPS.replace(",score", "")
    wh.drop(
        "nps_responses", "noscore.csv", f"{header}\nR1,C1,2026-01-03 10:00:00,downtown,in_store,x\n"
    )
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read, r.rows_rejected) == ("rejected", 1, 1)
    assert "noscore.csv" in r.message and "lacks required column(s) score" in r.message
    [(row, column, rule, _, _)] = wh.rejected("nps_responses")
    assert (row, column, rule) == (1, "score", "required_column")


def test_unknown_extra_and_reordered_columns(wh):
    header = "score,Response_ID,comment,survey_tool,touchpoint,store_id,responded_at,customer_id"
    row = "9,R1,Lovely,typeform,in_store,downtown,2026-01-03 10:00:00,C1"
    wh.drop("nps_responses", "reordered.csv", f"{header}\n{row}\n")
    [r] = wh.ingest("nps_responses")
    assert (r.rows_loaded, r.status) == (1, "loaded")
    assert "ignored columns not in the contract: survey_tool" in r.message
    assert wh.rows("SELECT response_id, score, comment FROM raw.nps_responses") == [
        ("R1", 9, "Lovely")
    ]


def test_duplicate_rows_within_a_file_and_across_files(wh):
    wh.drop("nps_responses", "a_2026-01.csv", nps_rows(GOOD, GOOD, GOOD2))
    wh.drop("nps_responses", "b_2026-02.csv", nps_rows(GOOD2))
    a, b = wh.ingest("nps_responses")
    assert (a.rows_read, a.rows_loaded, a.rows_rejected) == (3, 2, 1)
    assert wh.rejected("nps_responses")[0][:3] == (2, "response_id", "unique_in_file")
    assert (b.rows_loaded, b.status) == (1, "loaded")  # kept in raw; staging keeps the latest


def test_the_same_file_under_another_name(wh):
    wh.drop("nps_responses", "nps.csv", nps_rows(GOOD))
    wh.ingest("nps_responses")
    wh.drop("nps_responses", "nps (1).csv", nps_rows(GOOD))
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read) == ("duplicate", 0) and "same content as" in r.message
    assert wh.rows("SELECT count(*) FROM raw.nps_responses") == [(1,)]


def test_truncated_last_line_and_rows_with_too_many_or_too_few_fields(wh):
    text = nps_rows(GOOD, "R2,C2,2026-01-04 11:30:00,riverside,delivery,4,cold,extra")
    text += "R3,C3,2026-01-05 09:00:00,downt"  # the export was cut off here
    wh.drop("nps_responses", "cut.csv", text)
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.status) == (3, 1, 2, "partial")
    rejected = wh.rejected("nps_responses")
    assert [(row, rule) for row, _, rule, _, _ in rejected] == [
        (2, "field_count"),
        (3, "field_count"),
    ]
    assert "8 fields, the header has 7" in rejected[0][3]
    assert "4 fields" in rejected[1][3] and "truncated" in rejected[1][3]
    assert json.loads(rejected[1][4])[-1] == "downt"


def test_nul_bytes(wh):
    wh.drop("nps_responses", "nul.csv", nps_rows(GOOD).replace("Lovely", "Lov\x00ely").encode())
    [r] = wh.ingest("nps_responses")
    assert r.status == "loaded" and "1 NUL byte(s) removed" in r.message
    assert wh.rows("SELECT comment FROM raw.nps_responses") == [("Lovely",)]


def test_very_long_text_loads_whole(wh):
    long = "word " * 40_000
    wh.drop("nps_responses", "long.csv", nps_rows(GOOD.replace("Lovely", f'"{long}"')))
    [r] = wh.ingest("nps_responses")
    assert r.status == "loaded"
    assert wh.rows("SELECT length(comment) FROM raw.nps_responses") == [(len(long),)]


def test_values_outside_the_range_unknown_enums_and_dates_in_the_future(wh):
    rows = [
        GOOD,
        "R2,C2,2026-01-04 11:30:00,riverside,delivery,11,score above 10",
        "R3,C2,2026-01-04 11:30:00,uptown,delivery,5,unknown store",
        "R4,C2,2026-01-04 11:30:00,downtown,carrier_pigeon,5,unknown touchpoint",
        "R5,C2,2027-03-01 09:00:00,downtown,in_store,5,from the future",
    ]
    wh.drop("nps_responses", "rules.csv", nps_rows(*rows))
    [r] = wh.ingest("nps_responses")
    # a store the business profile does not list is loaded (and listed on the Data quality page)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (5, 2, 3)
    got = [(row, column, rule) for row, column, rule, _, _ in wh.rejected("nps_responses")]
    assert got == [
        (2, "score", "maximum"),
        (4, "touchpoint", "allowed_values"),
        (5, "responded_at", "future"),
    ]
    assert "after 2026-11-24" in wh.rejected("nps_responses")[2][3]
    assert wh.rows("SELECT store_id FROM raw.nps_responses ORDER BY _row_number") == [
        ("downtown",),
        ("uptown",),
    ]


def test_negative_quantities(wh):
    rows = [
        "L1,T1,PA01,Croissant,pastry,-1,2.40,0.00,-2.40",  # a refunded line: within the contract
        "L2,T1,PA01,Croissant,pastry,-500,2.40,0.00,-1200.00",  # below the minimum of -100
    ]
    wh.drop("pos_line_items", "lines.csv", "\n".join([LINES, *rows]) + "\n")
    [r] = wh.ingest("pos_line_items")
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    assert wh.rejected("pos_line_items")[0][:3] == (2, "quantity", "minimum")


def test_html_javascript_and_sql_in_text_load_as_inert_text(wh):
    nasty = "<script>alert('x')</script> Robert'); DROP TABLE raw.nps_responses;--"
    wh.drop("nps_responses", "nasty.csv", nps_rows(GOOD.replace("Lovely", f'"{nasty}"')))
    [r] = wh.ingest("nps_responses")
    assert r.status == "loaded"
    assert wh.rows("SELECT comment FROM raw.nps_responses") == [(nasty,)]
    # the site escapes it: tests/reports/test_site_in_browser.py (no script runs, text shown)


ABSENCES = "absence_id,employee_id,absence_date,end_date,absence_type,hours,days"


def test_absence_episodes_and_their_rules(wh):
    rows = [
        "A1,E1,2026-03-02,,sick,8,",  # a day
        "A2,E1,2026-03-04,2026-03-10,sick,40,",  # an episode in hours: 7 days, at most 168 h
        "A3,E1,2026-03-16,2026-03-20,holiday,,5",  # an episode in days
        "A4,E1,2026-03-10,2026-03-04,sick,40,",  # ends before it starts
        "A5,E1,2026-03-11,,sick,,",  # neither hours nor days
        "A6,E1,2026-03-12,,sick,30,",  # 30 hours in one day
        "A7,E1,2026-03-23,2026-03-24,holiday,,3",  # 3 days in a 2-day span
        "A8,E1,2026-03-25,2026-03-26,holiday,50,",  # 50 h in 2 days: at most 48
        "A9,E1,2026-03-30,2026-04-01,vacation,,3",  # not one of the absence types
    ]
    wh.drop("hr_absences", "absences.csv", "\n".join([ABSENCES, *rows]) + "\n")
    [r] = wh.ingest("hr_absences")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (9, 3, 6), r.message
    assert wh.rows(
        "SELECT absence_id, end_date, hours::DOUBLE, days::DOUBLE FROM raw.hr_absences "
        "ORDER BY absence_id"
    ) == [
        ("A1", None, 8.0, None),
        ("A2", dt.date(2026, 3, 10), 40.0, None),
        ("A3", dt.date(2026, 3, 20), None, 5.0),
    ]
    got = [(row, column, rule) for row, column, rule, _, _ in wh.rejected("hr_absences")]
    assert got == [
        (4, "end_date", "not_before"),
        (5, "hours", "required"),
        (6, "hours", "maximum"),
        (7, "days", "maximum"),
        (8, "hours", "maximum"),
        (9, "absence_type", "allowed_values"),
    ]
    reasons = {row: reason for row, _, _, reason, _ in wh.rejected("hr_absences")}
    assert "before absence_date" in reasons[4]
    assert "required when days is empty" in reasons[5]
    assert "24 per day from absence_date to end_date" in reasons[8]


def test_the_profile_s_opening_date_is_the_earliest_date_accepted(tmp_path, contracts):
    landing = tmp_path / "landing" / "nps_responses"
    landing.mkdir(parents=True)
    (landing / "old.csv").write_text(
        nps_rows(GOOD, GOOD2.replace("2026-01-04 11:30:00", "2015-12-31 23:00:00"))
    )
    con = duckdb.connect()
    options = ReadOptions(today=dt.date(2026, 11, 23), earliest=dt.date(2016, 1, 1))
    [r] = ingest_source(con, contracts["nps_responses"], tmp_path / "landing", options)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    [(rule, reason)] = con.execute(
        "SELECT _rule, _reason FROM raw.nps_responses__rejected"
    ).fetchall()
    assert rule == "minimum" and "2016-01-01" in reason


def test_a_raw_table_of_an_earlier_contract_version_is_brought_up_to_date(wh, contracts):
    """A warehouse loaded before absences could be episodes: its raw table gains the new
    columns and the wider hours, and keeps its rows."""
    wh.con.execute("CREATE SCHEMA raw")
    wh.con.execute(
        "CREATE TABLE raw.hr_absences (absence_id VARCHAR, employee_id VARCHAR, "
        "absence_date DATE, absence_type VARCHAR, hours DECIMAL(5,2), "
        "scheduled_hours DECIMAL(5,2), _batch_id BIGINT, _source_file VARCHAR, "
        "_row_number BIGINT, _loaded_at TIMESTAMP)"
    )
    wh.con.execute(
        "INSERT INTO raw.hr_absences VALUES ('A0', 'E1', DATE '2025-01-02', 'sick', 8, 8, "
        "1, 'old.csv', 1, TIMESTAMP '2025-01-03 06:00:00')"
    )
    wh.drop("hr_absences", "new.csv", f"{ABSENCES}\nA1,E1,2026-01-05,2026-03-10,sick,1200.5,\n")
    [r] = wh.ingest("hr_absences")
    assert r.rows_loaded == 1, r.message
    assert wh.rows(
        "SELECT absence_id, end_date, hours::DOUBLE FROM raw.hr_absences ORDER BY 1"
    ) == [("A0", None, 8.0), ("A1", dt.date(2026, 3, 10), 1200.5)]
    types = dict(
        wh.rows(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE table_name = 'hr_absences' AND schema_name = 'raw'"
        )
    )
    assert types["hours"] == "DECIMAL(8,2)" and types["days"] == "DECIMAL(6,2)"


def test_a_file_none_of_whose_rows_loads_is_rejected_not_partial(wh):
    rows = [GOOD.replace("9,Lovely", "11,too high"), GOOD2.replace("4,cold", "-1,too low")]
    wh.drop("nps_responses", "all_bad.csv", nps_rows(*rows))
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.status) == (2, 0, 2, "rejected")
    assert "2 rows read, 0 loaded, 2 rejected" in r.message
