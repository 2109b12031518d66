"""Vendor export formats (data_contracts/vendors/*.yaml): recognised by header, mapped onto the
contracts, every row loaded or rejected with its reason. No Dagster, no dbt: the loader on an
in-memory DuckDB."""

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import ReadOptions, load_contracts
from dagster_project.ingest.formats import (
    FormatError,
    _load_formats,
    detect,
    load_formats,
    parse_format,
    plan_landing,
    read_header,
)
from dagster_project.ingest.loader import ingest_source, ingest_unrecognised
from dagster_project.ingest.reader import combine_header_rows
from tests.conftest import ROOT

CONTRACTS = ROOT / "data_contracts"
FIXTURES = ROOT / "tests" / "fixtures" / "vendors"
OPTIONS = ReadOptions(today=dt.date(2026, 11, 23))
EXPECTED_FORMATS = {
    "square_items-2026-09.csv": "square_items_detail_33",
    "square_items-2026-10.csv": "square_items_detail_35",
    "square_transactions_2026-10.csv": "square_transactions",
    "orders_export_1.csv": "shopify_orders",
    "zendesk_tickets.csv": "zendesk_tickets",
    "hubspot-crm-exports-all-contacts-2026-10-20.csv": "hubspot_contacts",
    "CrumbCo_NPS_survey.csv": "surveymonkey_responses",
    "delighted-responses.csv": "delighted_responses",
    "bamboohr_employees_report.csv": "bamboohr_employees",
}


def load(landing: Path, contracts_dir: Path = CONTRACTS) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for contract in load_contracts(contracts_dir).values():
        ingest_source(con, contract, landing, OPTIONS)
    ingest_unrecognised(con, landing, contracts_dir)
    return con


def rows(con: duckdb.DuckDBPyConnection, table: str, where: str = "true") -> list[tuple]:
    names = load_contracts(CONTRACTS)[table].column_names
    cols = ", ".join(f'"{c}"' for c in names)
    return con.execute(f"SELECT {cols} FROM raw.{table} WHERE {where} ORDER BY ALL").fetchall()


def write_csv(path: Path, table: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(table)
    return path


def fixture_table(name: str) -> list[list[str]]:
    with (FIXTURES / "landing" / name).open(newline="") as f:
        return list(csv.reader(f))


def test_every_fixture_is_recognised_as_its_format():
    formats = load_formats(CONTRACTS)
    assert {f.id for f in formats} >= set(EXPECTED_FORMATS.values())
    for name, expected in EXPECTED_FORMATS.items():
        header = read_header(FIXTURES / "landing" / name)[0]
        assert detect(header, formats).id == expected, name
    # the 35-column file has its columns in another order and one more: still the 35 variant
    header = read_header(FIXTURES / "landing" / "square_items-2026-10.csv")[0]
    assert header[0] == "Reporting Category" or header[-1] == "Reporting Category"


def test_vendor_fixtures_load_the_same_raw_rows_as_the_hand_written_canonical_files():
    vendor, canonical = load(FIXTURES / "landing"), load(FIXTURES / "canonical")
    for table in (
        "pos_transactions",
        "pos_line_items",
        "support_tickets",
        "crm_customers",
        "nps_responses",
        "hr_employees",
    ):
        ours = rows(canonical, table)
        assert ours, table
        assert rows(vendor, table) == ours, table


def test_square_values_refunds_and_time_zones():
    con = load(FIXTURES / "landing")
    # $8.00-style money, a refund as Event Type = Refund with negative amounts, London summer
    # time (UTC+1) and New York time (UTC-4) converted to the business's zone (UTC here)
    assert con.execute(
        "SELECT transaction_id, transaction_at, event_type, gross_sales::DOUBLE, discounts::DOUBLE, "
        "net_sales::DOUBLE, tax::DOUBLE, "
        "refund_of_transaction_id FROM raw.pos_transactions WHERE transaction_id LIKE 'sqT1%' "
        "OR transaction_id = 'sqT3' ORDER BY 1"
    ).fetchall() == [
        ("sqT1", dt.datetime(2026, 9, 14, 7, 15, 30), "payment", 8, 0.5, 7.5, 1.5, None),
        (
            "sqT1-refund-2026-09-15-10:00:00",
            dt.datetime(2026, 9, 15, 9, 0),
            "refund",
            -3.2,
            0.5,
            -2.7,
            -0.54,
            "sqT1",
        ),
        ("sqT3", dt.datetime(2026, 10, 2, 18, 5), "payment", 9.7, 0.29, 9.41, 1.88, None),
    ]


def test_refunds_exported_as_positive_amounts_are_still_refunds(tmp_path):
    table = fixture_table("square_items-2026-09.csv")
    header, refund = table[0], table[4]
    assert refund[header.index("Event Type")] == "Refund"
    for column in ("Qty", "Gross Sales", "Net Sales", "Tax"):
        refund[header.index(column)] = refund[header.index(column)].replace("-", "")
    write_csv(tmp_path / "landing" / "items.csv", [header, refund])
    con = load(tmp_path / "landing")
    assert con.execute(
        "SELECT quantity::DOUBLE, net_sales::DOUBLE FROM raw.pos_line_items"
    ).fetchall() == [(-1, -2.7)]
    assert con.execute(
        "SELECT event_type, gross_sales::DOUBLE, tax::DOUBLE FROM raw.pos_transactions"
    ).fetchall() == [("refund", -3.2, -0.54)]


def test_shopify_order_fields_are_filled_forward_and_a_row_without_an_order_is_rejected(
    tmp_path,
):
    table = fixture_table("orders_export_1.csv")
    header = table[0]
    orphan = list(table[2])  # the second line of #1001: no order fields, and now no Name either
    orphan[header.index("Name")] = ""
    write_csv(tmp_path / "landing" / "orders.csv", [*table[:3], orphan])
    con = load(tmp_path / "landing")
    # the second line of #1001 got the order's e-mail and time from the first row
    assert con.execute(
        "SELECT transaction_id, customer_id, gross_sales::DOUBLE FROM raw.pos_transactions"
    ).fetchall() == [("#1001", "ana@example.com", 9.3)]
    assert con.execute(
        "SELECT _row_number, _rule, _reason FROM raw.pos_transactions__rejected"
    ).fetchall() == [
        (3, "group_key", "(row): group_key: no Name on this row, so it belongs to no group")
    ]
    (ledger,) = con.execute(
        "SELECT rows_read, rows_loaded, rows_rejected FROM raw.ingest_ledger "
        "WHERE source = 'pos_line_items'"
    ).fetchall()
    assert ledger == (3, 2, 1)  # the orphan line has no transaction id: required


def test_surveymonkey_two_header_rows_become_one_name_per_column():
    top, sub = read_header(FIXTURES / "landing" / "CrumbCo_NPS_survey.csv", rows=2)
    names = combine_header_rows(top, sub)
    assert names[9:14] == [
        "Which store did you visit?",
        "How did you shop with us?",
        "What did you buy? | Bread",
        "What did you buy? | Pastry",
        "What did you buy? | Coffee",
    ]
    assert names[15] == "What is the main reason for your score?"


def test_an_unknown_file_is_kept_with_the_closest_formats_and_the_others_load(tmp_path):
    landing = tmp_path / "landing"
    table = fixture_table("square_items-2026-09.csv")
    drop = {"Qty", "Event Type"}  # a damaged Square export: two columns missing
    keep = [i for i, h in enumerate(table[0]) if h not in drop]
    write_csv(landing / "broken_square.csv", [[r[i] for i in keep] for r in table])
    shutil.copyfile(FIXTURES / "landing" / "zendesk_tickets.csv", landing / "zendesk.csv")
    con = load(landing)
    ((status, read, rejected, message),) = con.execute(
        "SELECT status, rows_read, rows_rejected, message FROM raw.ingest_ledger "
        "WHERE file_name = 'broken_square.csv'"
    ).fetchall()
    assert (status, read, rejected) == ("unrecognised", 4, 4)
    first = message.split("closest known formats: ", 1)[1]
    assert first.startswith(
        "1) Square Items Detail (33 columns, before July 2026) "
        "(data_contracts/vendors/square_items_detail_33.yaml): has 31 of its 33 columns, "
        "lacks Qty, Event Type; expects header: Date, Time, Time Zone, Category, Item, Qty,"
    )
    assert "2) Square Items Detail (35 columns" in first
    assert con.execute("SELECT count(*) FROM raw.support_tickets").fetchall() == [(3,)]
    assert con.execute(
        "SELECT count(*) FROM raw.unrecognised_files__rejected WHERE _rule = 'unknown_format'"
    ).fetchall() == [(4,)]
    # loading again records nothing twice
    ingest_unrecognised(con, landing, CONTRACTS)
    assert con.execute("SELECT count(*) FROM raw.ingest_ledger").fetchall() == [(2,)]


def test_a_canonical_file_dropped_in_landing_root_is_recognised_by_its_columns(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copyfile(
        FIXTURES / "canonical" / "crm_customers" / "crm_customers.csv", landing / "customers.csv"
    )
    plan = plan_landing(landing, load_contracts(CONTRACTS), load_formats(CONTRACTS))
    assert [(f.rel, f.fmt, f.contracts) for f in plan.files] == [
        ("customers.csv", None, ("crm_customers",))
    ]
    assert plan.unrecognised == []


def test_a_new_vendor_variant_is_a_new_yaml_file_not_code(tmp_path):
    """A till system nobody mapped yet: one YAML file beside the contracts makes it load."""
    contracts = tmp_path / "data_contracts"
    shutil.copytree(CONTRACTS, contracts)
    (contracts / "vendors" / "tillpoint_sales.yaml").write_text(
        """
id: tillpoint_sales
vendor: TillPoint
export: Daily sales
header: [Receipt No, Sold At, Shop, Total GBP, VAT GBP, Paid By]
timezone: Europe/London
outputs:
  pos_transactions:
    columns:
      transaction_id: {template: "tp-{Receipt No}"}
      transaction_at: {column: Sold At, timestamp: "%d/%m/%Y %H:%M"}
      store_id: {column: Shop, slug: true}
      event_type: {value: payment}
      payment_method: {column: Paid By, values: {Card: card, Cash: cash}}
      gross_sales: {column: Total GBP, number: true}
      discounts: {value: 0}
      net_sales: {column: Total GBP, number: true}
      tax: {column: VAT GBP, number: true}
"""
    )
    landing = tmp_path / "landing"
    format_file = contracts / "vendors" / "tillpoint_sales.yaml"
    format_text = format_file.read_text()
    format_file.unlink()  # first the file arrives before anyone wrote its format
    write_csv(
        landing / "tillpoint.csv",
        [
            ["Receipt No", "Sold At", "Shop", "Total GBP", "VAT GBP", "Paid By"],
            ["881", "01/11/2026 09:30", "Riverside", "£1,204.50", "£200.75", "Card"],
            ["882", "01/11/2026 10:00", "", "£3.00", "£0.50", "Cash"],
        ],
    )
    con = load(landing, contracts)
    assert con.execute("SELECT source, status FROM raw.ingest_ledger").fetchall() == [
        ("unrecognised_files", "unrecognised")
    ]
    format_file.write_text(format_text)
    _load_formats.cache_clear()  # a refresh is a new process; here, forget the formats read
    for contract in load_contracts(contracts).values():
        ingest_source(con, contract, landing, OPTIONS)
    assert con.execute(
        "SELECT source, status FROM raw.ingest_ledger ORDER BY batch_id"
    ).fetchall() == [("unrecognised_files", "unrecognised"), ("pos_transactions", "partial")]
    # 1 November is GMT (UTC+0): the time is unchanged
    assert con.execute(
        "SELECT transaction_id, transaction_at, store_id, payment_method, gross_sales::DOUBLE "
        "FROM raw.pos_transactions"
    ).fetchall() == [("tp-881", dt.datetime(2026, 11, 1, 9, 30), "riverside", "card", 1204.5)]
    assert con.execute(
        "SELECT _row_number, _rule, _column FROM raw.pos_transactions__rejected"
    ).fetchall() == [(2, "required", "store_id")]


def test_a_broken_format_file_is_refused_with_its_name(tmp_path):
    contracts = load_contracts(CONTRACTS)
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\nvendor: X\nexport: Y\nheader: [A]\n"
        "outputs:\n  pos_transactions:\n    columns:\n      amount: A\n"
    )
    with pytest.raises(FormatError, match=r"bad.yaml: pos_transactions has no column\(s\)"):
        parse_format(path, contracts)
    path.write_text(
        "id: bad\nvendor: X\nexport: Y\nheader: [A]\n"
        "outputs:\n  pos_transactions:\n    columns:\n      tax: {colum: A, number: true}\n"
    )
    with pytest.raises(FormatError, match=r"bad.yaml: pos_transactions.tax: unknown key\(s\)"):
        parse_format(path, contracts)


def test_a_sale_refunded_twice_in_later_exports_keeps_every_line_and_refund(tmp_path):
    table = fixture_table("square_items-2026-09.csv")
    header, croissants = table[0], list(table[1])  # sqT1: 2 croissants, paid 14 September
    croissants[header.index("Date")] = "2026-09-20"
    croissants[header.index("Event Type")] = "Refund"
    for column, value in (("Qty", "-1.0"), ("Gross Sales", "-$2.40"), ("Net Sales", "-$2.40")):
        croissants[header.index(column)] = value
    landing = tmp_path / "landing"
    write_csv(landing / "items_1.csv", table)  # the sale and its first refund (15 September)
    write_csv(landing / "items_2.csv", [header, croissants])  # a second refund, next export
    con = load(landing)
    assert con.execute(
        "SELECT transaction_id, event_type, net_sales::DOUBLE FROM raw.pos_transactions "
        "WHERE transaction_id LIKE 'sqT1%' ORDER BY 1"
    ).fetchall() == [
        ("sqT1", "payment", 7.5),
        ("sqT1-refund-2026-09-15-10:00:00", "refund", -2.7),
        ("sqT1-refund-2026-09-20-08:15:30", "refund", -2.4),
    ]
    line_ids = [i for (i,) in con.execute("SELECT line_item_id FROM raw.pos_line_items").fetchall()]
    assert len(line_ids) == len(set(line_ids)) == 5


def run_formats(*paths: Path) -> subprocess.CompletedProcess:
    """What `make formats FILES=...` runs."""
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.ingest.check_file", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_operator_can_ask_which_format_a_file_is_in():
    landing = FIXTURES / "landing"
    proc = run_formats(landing / "orders_export_1.csv", landing / "mailchimp_members.csv")
    assert proc.returncode == 1  # one file is in no known format
    heads = [line for line in proc.stdout.splitlines() if not line.startswith(" ")]
    shopify, mailchimp = heads
    assert shopify.endswith(
        "orders_export_1.csv: Shopify Orders (data_contracts/vendors/shopify_orders.yaml) "
        "-> pos_line_items, pos_transactions"
    )
    assert "mailchimp_members.csv: no known format; closest known formats: 1) " in mailchimp
    # the Shopify file is read as a refresh would, for each source it feeds
    details = [line.strip() for line in proc.stdout.splitlines() if line.startswith("  ")]
    assert any(d.startswith("pos_line_items: would load") for d in details)
    assert any(d.startswith("pos_transactions: would load") for d in details)


def test_formats_says_what_the_refresh_would_reject_before_the_file_is_dropped(tmp_path):
    folder = tmp_path / "nps_responses"
    folder.mkdir()
    header = "response_id,customer_id,responded_at,touchpoint,score,comment"
    (folder / "no_store.csv").write_text(f"{header}\nR1,C1,2026-11-02 10:00:00,in_store,9,ok\n")
    proc = run_formats(folder / "no_store.csv")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "nps_responses: WOULD BE REJECTED WHOLE" in proc.stdout
    assert "lacks required column(s) store_id" in proc.stdout
    rows = [
        "response_id,customer_id,responded_at,store_id,touchpoint,score,comment",
        "R1,C1,2026-11-02 10:00:00,S1,in_store,19,too high",
        "R2,C1,2026-11-02 10:00:00,S1,in_store,7,fine",
        "R3,C1,yesterday,S1,in_store,7,no date",
    ]
    (folder / "some_bad.csv").write_text("\n".join(rows) + "\n")
    proc = run_formats(folder / "some_bad.csv")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # it loads, two rows rejected
    assert "3 rows read, 1 loaded, 2 rejected" in proc.stdout
    assert "row 1, column score, rule maximum" in proc.stdout
    assert "row 3, column responded_at, rule type_timestamp" in proc.stdout
    assert proc.stdout.count("rows read") == 1  # said once, not again by the loader's log


def test_an_excel_file_is_recorded_as_not_read_and_files_still_being_written_are_left(tmp_path):
    landing = tmp_path / "landing"
    (landing / "pos_transactions").mkdir(parents=True)
    (landing / "items_detail.xlsx").write_bytes(b"PK\x03\x04 a zip archive, not text")
    (landing / "pos_transactions" / "export.csv.part").write_text("transaction_id,transact")
    (landing / "~$items_detail.xlsx").write_bytes(b"excel's lock file")
    con = load(landing)
    assert con.execute(
        "SELECT source, file_name, status, rows_read, message FROM raw.ingest_ledger"
    ).fetchall() == [
        (
            "unrecognised_files",
            "items_detail.xlsx",
            "unreadable",
            0,
            "items_detail.xlsx: file not read: an Excel workbook (.xlsx); exports are read as CSV "
            "files (and JSON exports such as Google's reviews): export or save the report as "
            "CSV and drop that file",
        )
    ]
