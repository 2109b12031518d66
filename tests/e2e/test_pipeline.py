"""The whole flow on a small demo business, run through Dagster as `make run` runs it."""

import hashlib
import json
import os
import re

import duckdb
import polars as pl
import pytest

from dagster_project.text.scoring import load_themes
from tests.conftest import ROOT, SOURCES
from tests.pipeline_home import published_copy

DEMO_THEMES = (
    "waiting_time",
    "price",
    "product_quality",
    "staff_friendliness",
    "order_accuracy",
    "listened_to",
    "cleanliness",
    "felt_valued",
)

STAGING = [
    "stg_crm__customers",
    "stg_pos__transactions",
    "stg_pos__line_items",
    "stg_support__tickets",
    "stg_nps__responses",
    "stg_hr__employees",
    "stg_hr__engagement_responses",
    "stg_hr__absences",
]
# at least one mart fed by each of the five kinds of export
MARTS_BY_SOURCE = {
    "crm": "dim_customers",
    "pos": "kpi_store_monthly_sales",
    "support": "kpi_support_monthly",
    "nps": "kpi_nps_monthly",
    "hr": "kpi_team_monthly",
}


@pytest.fixture(scope="module")
def home(published_home, tmp_path_factory):
    return published_copy(published_home, tmp_path_factory.mktemp("copy") / "home")


def test_raw_staging_and_marts_hold_data_for_all_five_sources(home):
    for t in SOURCES:
        assert home.query(f"SELECT count(*) FROM raw.{t}")[0][0] > 0, t
    for v in STAGING:
        assert home.query(f"SELECT count(*) FROM staging.{v}")[0][0] > 0, v
    for source, mart in MARTS_BY_SOURCE.items():
        assert home.query(f"SELECT count(*) FROM marts.{mart}")[0][0] > 0, (source, mart)
    # the analyst copy is a complete, openable warehouse
    assert home.query(
        "SELECT count(*) FROM marts.kpi_store_monthly_sales", home.analytics
    ) == home.query("SELECT count(*) FROM marts.kpi_store_monthly_sales")


def test_the_analyst_copy_opens_in_older_duckdb_clients(home):
    # DuckDB's file header: 8-byte checksum, "DUCK", then the storage version number. DuckDB
    # 1.1-1.4 read versions 64-67 (a 2.x file says 999 and older clients refuse it).
    header = home.analytics.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert 64 <= int.from_bytes(header[12:20], "little") <= 67
    assert home.query("SELECT count(*) FROM staging.stg_nps__responses", home.analytics)[0][0] > 0


def test_every_landing_row_is_in_a_raw_or_rejected_table_and_the_ledger_says_so(home):
    ledger = {
        f: (rd, lo, rj, st)
        for f, rd, lo, rj, st in home.query(
            "SELECT file_name, rows_read, rows_loaded, rows_rejected, status FROM raw.ingest_ledger"
        )
    }
    # CSV files, and the Google reviews as the JSON its API gives
    files = sorted([*home.landing.glob("*/*.csv"), *home.landing.glob("*/*.json")])
    assert len(files) == len(ledger) > 100
    assert any(f.suffix == ".json" for f in files)
    for path in files:
        rel = f"{path.parent.name}/{path.name}"
        read, loaded, rejected, status = ledger[rel]
        if status == "duplicate":
            continue
        lines = (
            len(json.loads(path.read_text())["reviews"])
            if path.suffix == ".json"
            else pl.read_csv(path, infer_schema=False).height
        )
        assert read == lines == loaded + rejected, rel
        source = path.parent.name
        in_raw = home.query(f"SELECT count(*) FROM raw.{source} WHERE _source_file = '{rel}'")[0][0]
        in_rej = home.query(
            f"SELECT count(*) FROM raw.{source}__rejected WHERE _source_file = '{rel}'"
        )[0][0]
        assert (in_raw, in_rej) == (loaded, rejected), rel
    # the generator's planted bad rows are the rejected ones, each with its rule
    rules = sorted(
        home.query("""
        SELECT 'crm_customers', _rule, _column FROM raw.crm_customers__rejected UNION ALL
        SELECT 'nps_responses', _rule, _column FROM raw.nps_responses__rejected UNION ALL
        SELECT 'pos_transactions', _rule, _column FROM raw.pos_transactions__rejected UNION ALL
        SELECT 'support_tickets', _rule, _column FROM raw.support_tickets__rejected""")
    )
    assert rules == [
        ("crm_customers", "type_date", "signup_date"),
        ("nps_responses", "maximum", "score"),
        ("pos_transactions", "placeholder_date", "transaction_at"),
        ("support_tickets", "unique_in_file", "ticket_id"),
    ]


def test_a_second_run_loads_no_file_and_leaves_every_mart_identical(home):
    before_ledger = home.query("SELECT count(*), max(batch_id) FROM raw.ingest_ledger")
    before_runs = home.query("SELECT run_id FROM analysis.clv_model_runs ORDER BY run_seq")
    assert len(before_runs) == 4  # BG/NBD and Gamma-Gamma, calibration and full
    before = home.mart_fingerprints()
    assert len(before) >= 10
    (docs,) = (home.warehouse.parent / ".dbt-docs").glob("dbt-docs-*.html")
    docs_written = docs.stat().st_mtime_ns
    gen = home.run("dagster_project.demo.generator")
    assert "0 files written" in gen.stdout
    # forced: the whole refresh runs although nothing changed, and changes nothing
    home.refresh(force=True)
    assert home.query("SELECT count(*), max(batch_id) FROM raw.ingest_ledger") == before_ledger
    assert home.query("SELECT run_id FROM analysis.clv_model_runs ORDER BY run_seq") == before_runs
    assert home.mart_fingerprints() == before
    # the dbt project did not change: its docs page was reused, not generated again
    assert docs.stat().st_mtime_ns == docs_written
    assert (home.site / "docs" / "index.html").read_bytes() == docs.read_bytes()


def _published(home) -> tuple:
    return (home.site.resolve(), home.analytics.stat().st_ino, home.analytics.stat().st_mtime_ns)


def test_a_refresh_with_nothing_new_publishes_nothing_and_a_new_day_rebuilds_only_the_pages(
    home,
):
    state_path = home.warehouse.parent / f".{home.warehouse.name}.refresh-state.json"
    home.refresh()  # whatever ran before, this one leaves a published state
    published = _published(home)
    runs = home.query("SELECT count(*) FROM raw.ingest_ledger")

    same_day = home.refresh()
    assert "Nothing new since the refresh of" in same_day.stdout
    assert "Nothing was published again." in same_day.stdout
    assert _published(home) == published  # the same site build and the same analyst file

    # the next day: the pages are built again (they speak of today), the database is not
    state = json.loads(state_path.read_text())
    state_path.write_text(json.dumps(state | {"built_on": "2000-01-01"}))
    next_day = home.refresh()
    assert "built again for today" in next_day.stdout
    site, ino, mtime = _published(home)
    assert site != published[0] and (site / "index.html").is_file()
    assert (ino, mtime) == published[1:]
    assert (site / "docs" / "index.html").read_bytes() == (
        published[0] / "docs" / "index.html"
    ).read_bytes()
    assert json.loads(state_path.read_text())["built_on"] != "2000-01-01"
    assert home.query("SELECT count(*) FROM raw.ingest_ledger") == runs

    # a landing file touched (same content): the refresh runs again, and loads nothing
    some_file = sorted(home.landing.glob("nps_responses/*.csv"))[0]
    os.utime(some_file, ns=(some_file.stat().st_atime_ns, some_file.stat().st_mtime_ns + 10**9))
    touched = home.refresh()
    assert "Nothing new" not in touched.stdout and "Owner's report:" in touched.stdout
    assert home.site.resolve() != site
    assert home.query("SELECT count(*) FROM raw.ingest_ledger") == runs


def test_the_dbt_unit_tests_of_the_kpi_logic_pass(home, tmp_path):
    """The refresh leaves the unit tests out (hand-made inputs, not the business's data):
    they run here, against a copy of a built warehouse that gives their input columns."""
    from dagster_project.transform.dbt_cli import run_unit_tests

    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(home.warehouse.read_bytes())
    results = run_unit_tests(copy, tmp_path / "target")
    assert len(results) >= 11
    assert {r["status"] for r in results} == {"pass"}
    names = {r["unique_id"].rsplit(".", 1)[1] for r in results}
    assert "kpi_store_monthly_sales_nets_refunds_and_counts_customers_once" in names


def test_bad_files_are_reported_while_good_ones_load_and_corrections_supersede(home):
    folder = home.landing / "nps_responses"
    first = sorted(folder.glob("*.csv"))[0]
    original = pl.read_csv(first, infer_schema=False)
    target = original.row(0, named=True)
    # a corrected re-delivery of one response, and a file that lacks the required 'score'
    corrected = pl.DataFrame([{**target, "score": "0" if target["score"] != "0" else "10"}])
    corrected.write_csv(folder / "nps_responses_zz-correction.csv")
    original.drop("score").head(5).write_csv(folder / "nps_responses_zz-broken.csv")
    home.refresh()
    status, read, loaded, rejected, message = home.query(
        "SELECT status, rows_read, rows_loaded, rows_rejected, message FROM raw.ingest_ledger "
        "WHERE file_name = 'nps_responses/nps_responses_zz-broken.csv'"
    )[0]
    assert (status, read, loaded, rejected) == ("rejected", 5, 0, 5)
    assert "nps_responses/nps_responses_zz-broken.csv" in message and "score" in message
    assert home.query(
        "SELECT status FROM raw.ingest_ledger "
        "WHERE file_name = 'nps_responses/nps_responses_zz-correction.csv'"
    ) == [("loaded",)]
    score = home.query(
        f"SELECT score FROM staging.stg_nps__responses "
        f"WHERE response_id = '{target['response_id']}'"
    )
    assert score == [(int(corrected["score"][0]),)]
    assert (
        home.query("SELECT count(*) FROM staging.stg_nps__responses")[0][0]
        == home.query("SELECT count(DISTINCT response_id) FROM raw.nps_responses")[0][0]
    )


def test_a_failing_blocking_check_leaves_the_published_report_untouched(home):
    published_build = os.readlink(home.site)
    published_db = hashlib.sha256(home.analytics.read_bytes()).hexdigest()
    con = duckdb.connect(str(home.warehouse))
    con.execute(
        "INSERT INTO raw.nps_responses (response_id, responded_at, store_id, touchpoint, score, "
        "_batch_id, _source_file, _row_number, _loaded_at) VALUES ('SNEAKED', now(), "
        "'downtown', 'in_store', 42, -1, 'manual', 1, now())"
    )
    con.close()
    try:
        proc = home.refresh(expect=1)
        assert "Blocking checks that failed:" in proc.stderr
        assert (
            "raw/nps_responses gx_contract_suite: expect_column_values_to_be_between on score"
            in proc.stderr
        )
        assert os.readlink(home.site) == published_build
        assert hashlib.sha256(home.analytics.read_bytes()).hexdigest() == published_db
    finally:
        con = duckdb.connect(str(home.warehouse))
        con.execute("DELETE FROM raw.nps_responses WHERE response_id = 'SNEAKED'")
        con.close()


def test_customers_are_scored_in_sql_from_the_stored_model_run(home):
    from dagster_project.analysis.clv import BgNbdParams, bgnbd_expected_purchases, bgnbd_p_alive

    run_id, r, alpha, a, b = home.query(
        "SELECT run_id, r, alpha, a, b FROM analysis.clv_model_runs "
        "WHERE model = 'bgnbd' AND purpose = 'full' ORDER BY run_seq DESC LIMIT 1"
    )[0]
    params = BgNbdParams(r, alpha, a, b, 0.0, 0, 0)
    rows = home.query(
        "SELECT frequency, recency_weeks, age_weeks, p_alive, expected_purchases, bgnbd_run_id, "
        "horizon_months FROM marts.fct_customer_clv ORDER BY customer_key LIMIT 200"
    )
    assert rows and {row[5] for row in rows} == {run_id}
    for x, t_x, T, p_alive, expected, _, horizon in rows:
        assert p_alive == pytest.approx(bgnbd_p_alive(params, [x], t_x, T)[0], rel=1e-9)
        weeks = horizon * 365.25 / 12 / 7
        assert expected == pytest.approx(
            bgnbd_expected_purchases(params, weeks, [x], t_x, T)[0], rel=1e-9
        )
    n_customers = home.query("SELECT count(*) FROM staging.stg_crm__customers")[0][0]
    summary = home.query(
        "SELECT customers_with_purchases, avg_predicted_clv, churn_threshold_days "
        "FROM marts.kpi_customer_value_summary"
    )[0]
    assert 0 < summary[0] <= n_customers and summary[1] > 0 and summary[2] > 0
    assert home.query("SELECT count(*) FROM marts.kpi_churn_survival")[0][0] > 10
    assert home.query("SELECT count(*) FROM marts.kpi_cohort_retention")[0][0] > 20
    assert home.query("SELECT count(*) FROM marts.kpi_clv_holdout_check")[0][0] >= 5


def test_voice_and_support_marts_are_filled(home):
    overall = home.query(
        "SELECT responses, nps, nps_low, nps_high FROM marts.kpi_nps_breakdown "
        "WHERE breakdown = 'overall'"
    )[0]
    assert overall[0] >= 30 and overall[2] < overall[1] < overall[3]
    # small cells are suppressed, never shown as a number
    assert home.query(
        "SELECT count(*) FROM marts.kpi_nps_breakdown "
        "WHERE responses < min_n AND (nps IS NOT NULL OR NOT is_suppressed)"
    ) == [(0,)]
    assert home.query("SELECT count(*) FROM marts.kpi_nps_breakdown WHERE is_suppressed")[0][0] > 0
    themes = home.query(
        "SELECT theme, mentions, share_of_texts_pct, avg_sentiment FROM marts.kpi_theme_summary"
    )
    taxonomy = [t.name for t in load_themes(ROOT / "config/themes.yaml")]
    assert [t for t, _, _, _ in themes] == taxonomy
    # the eight themes the demo's texts are written about are all found
    mentions = {t: m for t, m, _, _ in themes}
    assert all(mentions[t] > 0 for t in DEMO_THEMES), mentions
    sup = home.query(
        "SELECT median_first_reply_minutes, median_first_reply_business_minutes, "
        "csat_pct, one_touch_pct FROM marts.kpi_support_breakdown "
        "WHERE breakdown = 'overall'"
    )[0]
    assert all(v is not None for v in sup) and sup[1] <= sup[0]
    assert home.query("SELECT count(*) FROM marts.rpt_follow_up")[0][0] > 0
    assert home.query("SELECT count(*) FROM marts.kpi_support_churn")[0][0] >= 2


def test_editing_the_theme_yaml_changes_the_theme_marts_without_code(home):
    """A theme written by hand and a candidate theme pasted from the Voice page both apply to
    all history at the next refresh; the candidate's texts leave "unmatched"."""
    themes = (ROOT / "config/themes.yaml").read_text()
    unmatched_before = home.query("SELECT count(*) FROM marts.rpt_unmatched_texts")[0][0]
    name, phrase, size, lines = home.query(
        "SELECT regexp_extract(theme_yaml, 'name: (\\w+)', 1), phrase, texts, theme_yaml "
        "FROM marts.rpt_theme_candidates ORDER BY candidate_rank LIMIT 1"
    )[0]
    assert size >= 3 and phrase in lines
    edited = home.root / "themes.yaml"
    edited.write_text(
        themes
        + """
  - name: coffee
    label: Coffee
    description: Anything about the coffee.
    patterns: ['\\b(coffee|latte|cappuccino|flat white|espresso)\\b']
"""
        + lines
        + "\n"
    )
    home.env["EMPATHY_THEMES"] = str(edited)
    try:
        home.refresh()
        rows = dict(home.query("SELECT theme, mentions FROM marts.kpi_theme_summary"))
        assert rows["coffee"] > 0 and len(rows) == len(load_themes(ROOT / "config/themes.yaml")) + 2
        assert rows[name] >= size
        assert (
            home.query("SELECT count(*) FROM marts.kpi_theme_monthly WHERE theme = 'coffee'")[0][0]
            > 0
        )
        unmatched_after = home.query("SELECT count(*) FROM marts.rpt_unmatched_texts")[0][0]
        assert unmatched_after <= unmatched_before - size
        assert phrase not in [
            p for (p,) in home.query("SELECT phrase FROM marts.rpt_theme_candidates")
        ]
    finally:
        del home.env["EMPATHY_THEMES"]


def test_team_marts_recover_the_planted_engagement_effect_and_hide_small_groups(home):
    import json
    import re

    import numpy as np

    # anonymity: no engagement figure for a group smaller than the minimum, in any mart
    for table in ("kpi_team_monthly", "fct_team_outcomes_monthly", "kpi_company_monthly"):
        leaks = home.query(
            f"SELECT count(*) FROM marts.{table} WHERE survey_responses < 5 "
            "AND (engagement_index IS NOT NULL OR enps IS NOT NULL)"
        )
        assert leaks == [(0,)], table
    small = home.query(
        "SELECT s.store_name, t.month FROM marts.kpi_team_monthly t "
        "JOIN marts.dim_stores s USING (store_id) WHERE t.is_engagement_suppressed "
        "AND t.survey_responses > 0"
    )
    assert small, "the small demo should have some small groups"
    # ... nor on the site: the engagement charts have no value for those store-months
    for page, chart in (("team.html", "chart-team-engagement"), ("index.html", "chart-engagement")):
        html = (home.site / page).read_text()
        data = json.loads(re.search(rf'id="{chart}-data">(.*?)</script>', html, re.S)[1])
        values = {
            (t["name"], x[:7]): y for t in data["data"] for x, y in zip(t["x"], t["y"], strict=True)
        }
        for store, month in small:
            assert values.get((store, f"{month:%Y-%m}")) is None, (page, store, month)

    # the planted effect: a store's engagement moves its next month's sales
    r, n, p = home.query(
        "SELECT r, n, p_value FROM marts.kpi_engagement_outcomes WHERE driver = 'engagement_index' "
        "AND outcome = 'net_revenue' AND lag_months = 1 AND scope = 'within_store' "
        "AND method = 'pearson'"
    )[0]
    assert r > 0.3 and p < 0.05 and n >= 40, (r, n, p)
    panel = home.query(
        "SELECT store_id, month, engagement_index, net_revenue::DOUBLE "
        "FROM marts.fct_team_outcomes_monthly ORDER BY store_id, month"
    )
    xs, ys = [], []
    for store in {row[0] for row in panel}:
        rows = [row for row in panel if row[0] == store]
        e = np.array([np.nan if row[2] is None else row[2] for row in rows])
        rev = np.array([row[3] for row in rows])
        z = (e - np.nanmean(e)) / np.nanstd(e)
        rel = rev / rev.mean() - 1
        keep = ~np.isnan(z[:-1])
        xs += list(z[:-1][keep])
        ys += list(rel[1:][keep])
    slope = np.polyfit(xs, ys, 1)[0]
    # planted: walk-in traffic and basket size scale by (1 + 0.10 e) the next month, so net
    # revenue moves by roughly 0.10-0.15 per standard deviation of engagement; the measured
    # index is a noisy survey mean, which pulls the slope down
    assert 0.04 <= slope <= 0.2, slope


def test_the_analyst_copy_updated_in_place_equals_one_written_whole(home, tmp_path, contracts):
    """The publish copies the previous analyst copy and writes only what changed into it; the
    result holds exactly what a copy written whole from the same warehouse holds."""
    from dagster_project.publish.publisher import _content, write_analyst_copy

    folder = home.landing / "support_tickets"
    newest = sorted(folder.glob("*.csv"))[-1]
    extra = pl.read_csv(newest, infer_schema=False).head(3)
    extra = extra.with_columns(pl.col("ticket_id") + "-again")
    extra.write_csv(folder / "support_tickets_zz-late.csv")
    run = home.refresh()
    out = run.stdout + run.stderr
    assert "analyst copy: previous copy updated" in out
    assert re.search(r"[1-9][\d,]* tables appended", out)  # raw.support_tickets at least

    whole = tmp_path / "whole.duckdb"
    write_analyst_copy(
        home.warehouse,
        whole,
        "v1.1.0",
        {c.name: c.personal_columns for c in contracts.values()},
    )
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{home.analytics}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{whole}' AS w (READ_ONLY)")
        listing = (
            "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = ? ORDER BY ALL"
        )
        assert con.execute(listing, ["a"]).fetchall() == con.execute(listing, ["w"]).fetchall()
        views = "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal ORDER BY ALL"
        assert con.execute(views, ["a"]).fetchall() == con.execute(views, ["w"]).fetchall()
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'w'"
        ).fetchall()
        assert len(tables) > 50
        for schema, table in tables:
            assert _content(con, f'SELECT * FROM a.{schema}."{table}"') == _content(
                con, f'SELECT * FROM w.{schema}."{table}"'
            ), (schema, table)
        ((tickets,),) = con.execute(
            "SELECT count(*) FROM a.raw.support_tickets WHERE ticket_id LIKE '%-again'"
        ).fetchall()
        assert tickets == 3
    finally:
        con.close()
