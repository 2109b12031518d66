"""Property-based tests (hypothesis) of the reader and the validator."""

import csv
import io
import string

import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dagster_project.contracts import validate_frame
from dagster_project.ingest.reader import read_text_frame

NAMES = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
# any text a cell can hold, but NUL (removed on purpose) and a lone carriage return
VALUES = st.text(
    st.characters(blacklist_characters="\x00\r", blacklist_categories=("Cs",)), max_size=30
)


@st.composite
def tables(draw, values=VALUES):
    names = draw(st.lists(NAMES, min_size=2, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(values, min_size=len(names), max_size=len(names)), max_size=25))
    return names, rows


def write_csv(names, rows, delimiter, line_end, quoting) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=line_end, quoting=quoting)
    w.writerow(names)
    w.writerows(rows)
    return buf.getvalue()


def expected(names, rows) -> list[dict]:
    return [{n: (v if v != "" else None) for n, v in zip(names, r, strict=True)} for r in rows]


def read_back(path) -> list[dict]:
    frame = read_text_frame(path).frame
    return frame.drop("_row_number").to_dicts()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_table_written_as_csv_reads_back_exactly(
    tmp_path, table, delimiter, line_end, quoting, encoding
):
    names, rows = table
    # a row of one empty value per column is a blank line when unquoted; exporters quote it
    assume(quoting == csv.QUOTE_ALL or all(any(v != "" for v in r) for r in rows))
    path = tmp_path / "t.csv"
    path.write_bytes(write_csv(names, rows, delimiter, line_end, quoting).encode(encoding))
    text = read_text_frame(path)
    assert text.delimiter == delimiter
    assert text.malformed.is_empty()
    assert set(text.frame.columns) == {"_row_number", *names}
    assert read_back(path) == expected(names, rows)
    assert text.frame["_row_number"].to_list() == list(range(1, len(rows) + 1))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=tables(
        values=st.text(st.characters(codec="cp1252", blacklist_characters="\x00\r"), max_size=20)
    )
)
def test_windows_1252_files_read_back_exactly(tmp_path, table):
    names, rows = table
    assume(all(any(v != "" for v in r) for r in rows))
    data = write_csv(names, rows, ",", "\r\n", csv.QUOTE_MINIMAL).encode("cp1252")
    try:
        data.decode("utf-8")
        assume(False)  # these bytes are also valid UTF-8: genuinely ambiguous, read as UTF-8
    except UnicodeDecodeError:
        pass
    path = tmp_path / "w.csv"
    path.write_bytes(data)
    assert read_back(path) == expected(names, rows)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=tables(), bad=st.data())
def test_rows_with_the_wrong_number_of_fields_are_set_aside_and_the_rest_read_exactly(
    tmp_path, table, bad
):
    names, rows = table
    assume(rows and all(any(v != "" for v in r) for r in rows))
    k = bad.draw(st.integers(0, len(rows) - 1))
    width = bad.draw(st.sampled_from([1, len(names) + 1]))
    broken = rows[k][:width] if width < len(names) else [*rows[k], "extra"]
    assume(any(v != "" for v in broken))
    content = write_csv(names, [*rows[:k], broken, *rows[k + 1 :]], ",", "\n", csv.QUOTE_ALL)
    path = tmp_path / "b.csv"
    path.write_text(content)
    text = read_text_frame(path)
    assert text.malformed["_row_number"].to_list() == [k + 1]
    assert text.rows_read == len(rows)
    good = [r for i, r in enumerate(rows) if i != k]
    assert text.frame.drop("_row_number").to_dicts() == expected(names, good)


NPS_VALUES = {
    "response_id": st.one_of(st.none(), st.sampled_from(["a", "b", "c", "5.70E+17"]), VALUES),
    "responded_at": st.one_of(
        st.none(),
        st.sampled_from(
            ["2026-01-03 10:00:00", "2026-01-03T10:00:00Z", "03/01/2026", "3000-01-01"]
        ),
        VALUES,
    ),
    "store_id": st.one_of(st.none(), st.sampled_from(["downtown", "riverside", "uptown"]), VALUES),
    "touchpoint": st.one_of(st.none(), st.sampled_from(["in_store", "delivery", "x"]), VALUES),
    "score": st.one_of(
        st.none(), st.integers(-5, 15).map(str), st.sampled_from(["9.0", "9,5"]), VALUES
    ),
    "comment": st.one_of(st.none(), VALUES),
}


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(NPS_VALUES), max_size=30))
def test_validation_accounts_for_every_row_and_good_rows_keep_the_contract(contracts, rows):
    nps = contracts["nps_responses"]
    frame = (
        pl.DataFrame(rows, schema={k: pl.String for k in NPS_VALUES})
        .with_row_index("_row_number", offset=1)
        .with_columns(pl.col("_row_number").cast(pl.Int64))
    )
    out = validate_frame(nps, frame)
    assert out.good.height + out.rejected.height == len(rows)
    assert sorted(
        out.good["_row_number"].to_list() + out.rejected["_row_number"].to_list()
    ) == list(range(1, len(rows) + 1))
    assert out.rejected.filter(pl.col("_rule").is_null() | pl.col("_reason").is_null()).is_empty()
    good = out.good
    assert good["response_id"].null_count() == 0 and good["response_id"].is_unique().all()
    assert good["score"].is_between(0, 10).all()
    # any store id (the business profile names them), but never a blank one
    assert all(s and s.strip() for s in good["store_id"].to_list())
    assert good["responded_at"].null_count() == 0
