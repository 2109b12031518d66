"""Landing is untrusted: links and special files are not read, quoting errors are found, memory
is bounded by the row limit, binary content is unreadable (docs/bad_inputs.md)."""

import gzip
import io
import json
import os
import random
import sys
import tracemalloc
import zipfile

import pytest

from dagster_project.ingest.formats import scan_landing
from dagster_project.ingest.reader import MAX_LINE_BYTES, read_text_frame
from tests.ingest.test_bad_inputs import GOOD, GOOD2, NPS, nps_rows, wh  # noqa: F401

SECRET = "s3cr3t-marker-9f2c"


@pytest.fixture()
def outside(tmp_path):
    """A folder outside landing/ holding what an attacker wants: a credentials file, and a
    folder with a file that would load as NPS responses."""
    root = tmp_path / "outside"
    (root / "folder").mkdir(parents=True)
    (root / "creds.csv").write_text(f"api_key,password\nAKIA{SECRET},{SECRET}\n")
    (root / "folder" / "nps.csv").write_text(nps_rows(GOOD.replace("Lovely", SECRET)))
    return root


def test_links_fifos_and_linked_folders_are_refused_and_never_read(wh, outside):  # noqa: F811
    landing = wh.landing
    wh.drop("nps_responses", "good.csv", nps_rows(GOOD2))
    os.symlink(outside / "creds.csv", landing / "x.csv")
    os.symlink(outside / "creds.csv", landing / "nps_responses" / "linked.csv")
    os.symlink(outside / "folder", landing / "linked_folder")
    os.mkfifo(landing / "nps_responses" / "pipe.csv")  # reading it would block forever
    files, refused = scan_landing(landing)
    assert [p.name for p in files] == ["good.csv"]
    assert {(str(p.relative_to(landing)), why) for p, why in refused} == {
        ("x.csv", "a symbolic link"),
        ("nps_responses/linked.csv", "a symbolic link"),
        ("linked_folder", "a symbolic link"),
        ("nps_responses/pipe.csv", "a named pipe (FIFO)"),
    }
    [r] = wh.ingest("nps_responses")
    assert r.file_name == "nps_responses/good.csv" and r.rows_loaded == 1
    from dagster_project.ingest.loader import ingest_unrecognised
    from tests.conftest import ROOT

    con = wh.con
    results = ingest_unrecognised(con, landing, ROOT / "data_contracts")
    assert sorted((x.file_name, x.status, x.rows_read, x.file_bytes) for x in results) == [
        ("linked_folder", "refused", 0, 0),
        ("nps_responses/linked.csv", "refused", 0, 0),
        ("nps_responses/pipe.csv", "refused", 0, 0),
        ("x.csv", "refused", 0, 0),
    ]
    assert all("landing/ reads only regular files" in x.message for x in results)
    # nothing of the targets anywhere in the warehouse
    for schema, table, column in wh.rows(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR'"
    ):
        assert wh.rows(
            f'SELECT count(*) FROM {schema}."{table}" WHERE "{column}" LIKE \'%{SECRET}%\''
        ) == [(0,)], (table, column)
    # a second pass records nothing new
    assert ingest_unrecognised(con, landing, ROOT / "data_contracts") == []


def test_an_unrecognised_file_s_content_is_not_in_its_ledger_message(wh):  # noqa: F811
    from dagster_project.ingest.loader import ingest_unrecognised
    from tests.conftest import ROOT

    (wh.landing).mkdir(parents=True, exist_ok=True)
    (wh.landing / "passwd.csv").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\nbin:x:1\n")
    [r] = ingest_unrecognised(wh.con, wh.landing, ROOT / "data_contracts")
    assert r.status == "unrecognised" and r.rows_read == 1
    assert SECRET not in r.message and "root" not in r.message
    assert "(1 columns) matches no known export format" in r.message


def test_an_open_quote_is_found_and_its_lines_rejected_with_rule_quoting(wh):  # noqa: F811
    lines = [
        GOOD,
        'R2,C2,2026-01-04 11:30:00,riverside,delivery,4,"open',
        "R3,C3,2026-01-04 12:30:00,riverside,delivery,8,fine",
        'R4,C4,2026-01-04 13:30:00,riverside,delivery,7,"quoted"',
        "R5,C5,2026-01-04 14:30:00,riverside,delivery,6,last",
    ]
    wh.drop("nps_responses", "q.csv", nps_rows(*lines))
    [r] = wh.ingest("nps_responses")
    assert r.rows_read == len(lines) == r.rows_loaded + r.rows_rejected  # read = lines
    assert (r.rows_loaded, r.rows_rejected, r.status) == (2, 3, "partial")
    assert wh.rows("SELECT response_id FROM raw.nps_responses ORDER BY 1") == [("R1",), ("R5",)]
    rejected = wh.rejected("nps_responses")
    assert [(n, rule) for n, _, rule, _, _ in rejected] == [
        (2, "quoting"),
        (3, "quoting"),
        (4, "quoting"),
    ]
    assert "a quote opened on line 3 of the file is not closed" in rejected[0][3]
    assert json.loads(rejected[1][4]) == [lines[2]]  # each line kept as it was


def test_a_quote_left_open_to_the_end_of_the_file(wh):  # noqa: F811
    lines = [GOOD, 'R2,C2,2026-01-04 11:30:00,riverside,delivery,4,"no end', "R3,C3,x"]
    wh.drop("nps_responses", "q.csv", nps_rows(*lines))
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (3, 1, 2)
    assert {rule for _, _, rule, _, _ in wh.rejected("nps_responses")} == {"quoting"}


def test_a_quoted_comment_over_two_lines_is_one_row(wh):  # noqa: F811
    wh.drop("nps_responses", "ok.csv", nps_rows(GOOD.replace("Lovely", '"Lovely\nstaff, cakes"')))
    [r] = wh.ingest("nps_responses")
    assert (r.rows_read, r.rows_loaded, r.status) == (1, 1, "loaded")
    assert wh.rows("SELECT comment FROM raw.nps_responses") == [("Lovely\nstaff, cakes",)]


def test_a_repeated_header_name_rejects_the_file_and_keeps_its_rows(wh):  # noqa: F811
    header = NPS.replace("comment", "score")  # score twice, with different values
    wh.drop("nps_responses", "dup.csv", "\n".join([header, GOOD, GOOD2]) + "\n")
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_rejected) == ("rejected", 2, 0, 2)
    assert "names column(s) score more than once" in r.message
    rejected = wh.rejected("nps_responses")
    assert [(n, col, rule) for n, col, rule, _, _ in rejected] == [
        (1, "score", "duplicate_column"),
        (2, "score", "duplicate_column"),
    ]
    assert json.loads(rejected[0][4])["score (2)"] == "Lovely"  # both values kept


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", nps_rows(GOOD))
    return buf.getvalue()


@pytest.mark.parametrize(
    "content, kind",
    [
        (gzip.compress(nps_rows(GOOD).encode()), "gzip archive"),
        (_zip(), "zip archive"),
        (open(sys.executable, "rb").read(4096), "program (ELF)"),
        (random.Random(0).randbytes(4096), "binary data"),
    ],
)
def test_binary_content_renamed_csv_is_unreadable(wh, content, kind):  # noqa: F811
    wh.drop("nps_responses", "export.csv", content)
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read) == ("unreadable", 0)
    assert f"binary content ({kind}" in r.message


def test_blank_and_whitespace_only_lines_are_skipped_not_rejected(wh):  # noqa: F811
    wh.drop("nps_responses", "blank.csv", "\n".join([NPS, GOOD, "   ", "\t", "", GOOD2, "  "]))
    [r] = wh.ingest("nps_responses")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 2, 0)
    assert "blank line(s) skipped" in r.message


def test_a_date_in_a_timestamp_column_far_ahead_is_future_not_a_type_error(wh):  # noqa: F811
    wh.drop(
        "nps_responses", "f.csv", nps_rows(GOOD, GOOD2.replace("2026-01-04 11:30:00", "2099-01-01"))
    )
    [r] = wh.ingest("nps_responses")
    assert [(n, col, rule) for n, col, rule, _, _ in wh.rejected("nps_responses")] == [
        (2, "responded_at", "future")
    ]


def test_a_line_over_the_limit_is_rejected_without_holding_it_in_memory(tmp_path):
    size = 64 << 20  # 64 MiB on one line
    path = tmp_path / "long.csv"
    with path.open("w") as f:
        f.write(NPS + "\n" + GOOD + "\n")
        f.write("R2,C2,2026-01-04 11:30:00,riverside,delivery,4,")
        for _ in range(size // (1 << 20)):
            f.write("x" * (1 << 20))
        f.write("\n" + GOOD.replace("R1", "R3") + "\n")
    tracemalloc.start()
    try:
        text = read_text_frame(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.rows_read == 3
    assert text.frame["response_id"].to_list() == ["R1", "R3"]
    [(n, rule, reason, record)] = text.malformed.rows()
    assert (n, rule) == (2, "line_too_long") and f"{MAX_LINE_BYTES:,} bytes" in reason
    assert len(record) < 2000 and "67,108,9" in record  # its first kilobyte and its size
    assert peak < size * 0.75, f"peak {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB line"


def test_placeholder_dates_are_rejected_and_old_history_loads(wh):  # noqa: F811
    rows = [
        GOOD.replace("2026-01-03 10:00:00", "1997-03-01 10:00:00"),
        GOOD2.replace("2026-01-04 11:30:00", "1970-01-01 00:00:00"),
        GOOD2.replace("R2", "R3").replace("2026-01-04 11:30:00", "0000-00-00 00:00:00"),
        GOOD2.replace("R2", "R4").replace("2026-01-04 11:30:00", "9999-12-31"),
        GOOD2.replace("R2", "R5").replace("2026-01-04 11:30:00", "1899-06-01 10:00:00"),
    ]
    wh.drop("nps_responses", "old.csv", nps_rows(*rows))
    [r] = wh.ingest("nps_responses")
    assert wh.rows("SELECT response_id FROM raw.nps_responses") == [("R1",)]
    assert [(n, col, rule) for n, col, rule, _, _ in wh.rejected("nps_responses")] == [
        (2, "responded_at", "placeholder_date"),
        (3, "responded_at", "placeholder_date"),
        (4, "responded_at", "placeholder_date"),
        (5, "responded_at", "minimum"),
    ]
    staff = (
        "employee_id,first_name,last_name,email,store_id,role,hire_date,termination_date,"
        "termination_reason,weekly_hours\n"
        "E1,Ann,Lee,a@x.org,downtown,barista,1974-05-01,,,37.5\n"
        "E2,Bob,Ray,b@x.org,downtown,barista,1978-09-01,1999-12-31,retired,20\n"
    )
    wh.drop("hr_employees", "staff.csv", staff)
    [r] = wh.ingest("hr_employees")
    assert (r.rows_loaded, r.rows_rejected) == (2, 0), r.message
