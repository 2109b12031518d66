"""Vendor exports dropped into landing/ fill the same marts as the canonical files.

Two copies of the small published demo warehouse get one more refresh each (the
``vendor_homes`` fixture in conftest.py): one with a file of every vendor format dropped into
landing/ as exported (tests/fixtures/vendors/landing), the other with the same business facts
written as canonical files by hand (tests/fixtures/vendors/canonical). Every mart must come out identical, and the ledger must
account for every row of every vendor file; a file of an unknown tool is recorded with the
closest known formats and does not stop the others.
"""

import csv
from decimal import Decimal
from pathlib import Path

from tests.conftest import ROOT
from tests.pipeline_home import mart_contents

FIXTURES = ROOT / "tests" / "fixtures" / "vendors"
# file -> (format, the contract fed one row per file row, header rows)
VENDOR_FILES = {
    "square_items-2026-09.csv": ("square_items_detail_33", "pos_line_items", 1),
    "square_items-2026-10.csv": ("square_items_detail_35", "pos_line_items", 1),
    "square_transactions_2026-10.csv": ("square_transactions", "pos_transactions", 1),
    "orders_export_1.csv": ("shopify_orders", "pos_line_items", 1),
    "zendesk_tickets.csv": ("zendesk_tickets", "support_tickets", 1),
    "hubspot-crm-exports-all-contacts-2026-10-20.csv": ("hubspot_contacts", "crm_customers", 1),
    "CrumbCo_NPS_survey.csv": ("surveymonkey_responses", "nps_responses", 2),
    "delighted-responses.csv": ("delighted_responses", "nps_responses", 1),
    "bamboohr_employees_report.csv": ("bamboohr_employees", "hr_employees", 1),
}
UNKNOWN_FILE = "mailchimp_members.csv"


def data_rows(path: Path, header_rows: int) -> int:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for row in csv.reader(f) if row) - header_rows


def test_vendor_files_fill_the_same_marts_as_the_canonical_files(vendor_homes):
    vendor, canonical, _ = vendor_homes
    # the files reached the marts (identical marts would prove nothing if neither had them)
    ids = (
        "('sqT1','sqT1-refund-2026-09-15-10:00:00','sqT2','sqT3','sqT4',"
        "'sqT4-refund-2026-10-06-12:00:00','#1001','#1002','#1002-refund')"
    )
    for home in (vendor, canonical):
        assert home.query(
            f"SELECT count(*), sum(net_sales) FROM marts.fct_pos_transactions "
            f"WHERE transaction_id IN {ids}"
        ) == [(9, Decimal("33.06"))]
        assert home.query(
            "SELECT count(*) FROM marts.fct_support_tickets WHERE ticket_id IN "
            "('9001','9002','9003')"
        ) == [(3,)]
        assert home.query(
            "SELECT count(*) FROM staging.stg_nps__responses WHERE response_id LIKE 'sm-%' "
            "OR response_id LIKE 'delighted-%'"
        ) == [(5,)]
    # The vendor files also hold rows that are no sale or no NPS answer (a voided Shopify order,
    # a Delighted CSAT response), and the file of an unknown tool: they are rejected with the
    # reason, so the rejected-rows mart has them on top of what the canonical files give; every
    # other mart is identical.
    theirs = mart_contents(vendor, skip=("kpi_rejections_by_rule",))
    ours = mart_contents(canonical, skip=("kpi_rejections_by_rule",))
    assert len(ours) >= 30
    assert theirs == ours, [t for t in ours if theirs.get(t) != ours[t]]
    rules = "SELECT source, column_name, rule, rows_rejected FROM marts.kpi_rejections_by_rule"
    extra = set(vendor.query(rules)) - set(canonical.query(rules))
    assert extra == {
        ("pos_line_items", "(row)", "out_of_scope", 1),
        ("pos_transactions", "(row)", "out_of_scope", 1),
        ("nps_responses", "(row)", "out_of_scope", 1),
        ("unrecognised_files", "(file)", "unknown_format", 2),
    }
    assert set(canonical.query(rules)) - set(vendor.query(rules)) == set()


def test_the_ledger_accounts_for_every_row_of_every_vendor_file(vendor_homes):
    vendor, _, run = vendor_homes
    assert "Owner's report:" in run.stdout  # the unknown file did not stop the refresh
    ledger = vendor.query(
        "SELECT file_name, source, status, rows_read, rows_loaded, rows_rejected, message "
        "FROM raw.ingest_ledger WHERE file_name NOT LIKE '%/%' ORDER BY file_name, source"
    )
    by_file: dict[str, dict[str, tuple]] = {}
    for name, source, *rest in ledger:
        by_file.setdefault(name, {})[source] = tuple(rest)
    assert set(by_file) == {*VENDOR_FILES, UNKNOWN_FILE}
    for name, (fmt, line_source, header_rows) in VENDOR_FILES.items():
        status, read, loaded, rejected, message = by_file[name][line_source]
        assert f"format {fmt} " in message, message
        assert read == data_rows(FIXTURES / "landing" / name, header_rows), name
        assert read == loaded + rejected and status in ("loaded", "partial"), (name, message)
        # the raw and rejected tables hold exactly what the ledger says
        for source, (_, _, n_loaded, n_rejected, _) in by_file[name].items():
            assert vendor.query(
                f"SELECT count(*) FROM raw.{source} r JOIN raw.ingest_ledger l "
                f"ON l.batch_id = r._batch_id WHERE l.file_name = '{name}' AND l.source = '{source}'"
            ) == [(n_loaded,)]
            assert vendor.query(
                f"SELECT count(*) FROM raw.{source}__rejected r JOIN raw.ingest_ledger l "
                f"ON l.batch_id = r._batch_id WHERE l.file_name = '{name}' AND l.source = '{source}'"
            ) == [(n_rejected,)]
    # the files that feed two contracts: line items one per row, transactions one per group
    assert by_file["square_items-2026-09.csv"]["pos_transactions"][:4] == ("loaded", 3, 3, 0)
    shopify = by_file["orders_export_1.csv"]
    assert shopify["pos_transactions"][:4] == ("partial", 4, 3, 1)  # 2 orders, 1 refund, 1 voided
    assert "voided order" in shopify["pos_transactions"][4]
    # the rows set aside say why, and keep the vendor's own row
    assert vendor.query(
        'SELECT _rule, _raw_record LIKE \'%"Financial Status":"voided"%\' '
        "FROM raw.pos_line_items__rejected WHERE _source_file = 'orders_export_1.csv'"
    ) == [("out_of_scope", True)]
    assert vendor.query(
        "SELECT _row_number, _rule FROM raw.nps_responses__rejected "
        "WHERE _source_file = 'delighted-responses.csv'"
    ) == [(2, "out_of_scope")]


def test_an_unknown_file_names_the_closest_formats_and_does_not_stop_the_others(vendor_homes):
    vendor, _, _ = vendor_homes
    ((status, read, loaded, rejected, message),) = vendor.query(
        "SELECT status, rows_read, rows_loaded, rows_rejected, message FROM raw.ingest_ledger "
        f"WHERE file_name = '{UNKNOWN_FILE}'"
    )
    assert (status, read, loaded, rejected) == ("unrecognised", 2, 0, 2)
    assert "matches no known export format" in message
    assert "closest known formats: 1) SurveyMonkey All responses" in message
    assert "expects header: Respondent ID, Collector ID, Start Date, End Date" in message
    assert vendor.query(
        "SELECT _row_number, _rule, _raw_record LIKE '%alice@example.com%' "
        f"FROM raw.unrecognised_files__rejected WHERE _source_file = '{UNKNOWN_FILE}' ORDER BY 1"
    ) == [(1, "unknown_format", True), (2, "unknown_format", False)]
    # the owner sees it on the data quality page of the published report
    quality = (vendor.site / "quality.html").read_text()
    assert UNKNOWN_FILE in quality
