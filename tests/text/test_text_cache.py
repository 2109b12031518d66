"""Texts are scored once per distinct text and scoring configuration (issue 19): a refresh
scores only texts it has not seen, and gives exactly what scoring everything would give."""

import re
import shutil

import duckdb
import polars as pl
import pytest

from dagster_project.text.runs import TEXTS_SQL, score_texts
from dagster_project.text.scoring import SentimentScorer, analyse_texts, load_themes
from tests.conftest import ROOT

THEMES = ROOT / "config" / "themes.yaml"
LEXICON = ROOT / "config" / "sentiment_lexicon.yaml"
COMMENTS = [
    ("R1", "Still waiting for the refund, nobody answers"),
    ("R2", "Lovely staff, the best croissant in town"),
    ("R3", "Still waiting for the refund, nobody answers"),  # the same words again
    ("R4", None),
]


def texts_view_sql() -> str:
    """The dbt model that gathers the texts, with its refs pointing at this test's tables."""
    sql = (ROOT / "dbt/models/intermediate/int_customer_texts_unioned.sql").read_text()
    sql = re.sub(r"\{\{ ref\('(\w+)'\) \}\}", r"staging.\1", sql)
    assert "{{" not in sql
    return "CREATE VIEW intermediate.int_customer_texts_unioned AS " + "\n".join(
        line for line in sql.splitlines() if not line.startswith("--")
    )


@pytest.fixture()
def con():
    c = duckdb.connect()
    c.execute("CREATE SCHEMA staging")
    c.execute("CREATE SCHEMA intermediate")
    c.execute(
        "CREATE TABLE staging.stg_nps__responses (response_id VARCHAR, customer_key VARCHAR, "
        "store_id VARCHAR, responded_at TIMESTAMP, score INTEGER, comment VARCHAR)"
    )
    c.executemany(
        "INSERT INTO staging.stg_nps__responses VALUES (?, 'k', 's', '2026-11-01', 5, ?)",
        COMMENTS,
    )
    c.execute(
        "CREATE TABLE staging.stg_support__tickets (ticket_id VARCHAR, customer_key VARCHAR, "
        "store_id VARCHAR, created_at TIMESTAMP, solved_at TIMESTAMP, subject VARCHAR, "
        "description VARCHAR, csat_comment VARCHAR)"
    )
    c.execute(
        "INSERT INTO staging.stg_support__tickets VALUES ('T1', 'k', 's', '2026-11-01', NULL, "
        "'Order wrong', 'They forgot half of my order', 'Sorted quickly, thanks')"
    )
    c.execute(  # no online reviews in this warehouse
        "CREATE TABLE staging.stg_reviews__reviews (review_id VARCHAR, store_id VARCHAR, "
        "created_at TIMESTAMP, title VARCHAR, review_text VARCHAR)"
    )
    c.execute(texts_view_sql())
    yield c
    c.close()


def tables(con):
    return {
        t: con.sql(f"SELECT * FROM analysis.{t}").fetchall()
        for t in ("text_sentiment", "text_themes", "theme_catalogue")
    }


def test_scores_equal_scoring_every_text_and_repeat_refreshes_score_nothing(con, tmp_path):
    first = score_texts(con, THEMES, LEXICON)
    assert first["texts"] == 5 and first["texts_scored_now"] == 4  # R1 and R3 say the same
    expected_sentiment, expected_hits = analyse_texts(
        con.sql(TEXTS_SQL).pl(), load_themes(THEMES), SentimentScorer(LEXICON), SentimentScorer()
    )
    got = con.sql("SELECT * FROM analysis.text_sentiment").pl()
    assert got.equals(expected_sentiment)
    assert con.sql("SELECT * FROM analysis.text_themes").pl().equals(expected_hits)
    assert expected_hits.height > 0
    before = tables(con)
    again = score_texts(con, THEMES, LEXICON)
    assert again["texts_scored_now"] == 0 and tables(con) == before
    # one new comment: only it is scored
    con.execute(
        "INSERT INTO staging.stg_nps__responses VALUES "
        "('R5', 'k', 's', '2026-11-02', 3, 'Cold coffee again')"
    )
    assert score_texts(con, THEMES, LEXICON)["texts_scored_now"] == 1
    # an edited themes file scores everything again, and old scores are dropped
    themes = tmp_path / "themes.yaml"
    shutil.copyfile(THEMES, themes)
    themes.write_text(themes.read_text() + "\n# edited\n")
    assert score_texts(con, themes, LEXICON)["texts_scored_now"] == 5
    [(configs,)] = con.sql(
        "SELECT count(DISTINCT config_hash) FROM private.text_score_cache"
    ).fetchall()
    assert configs == 1


def test_the_cache_is_private(con):
    score_texts(con, THEMES, LEXICON)
    schemas = {s for (s,) in con.sql("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert "private" in schemas
    cache = con.sql("SELECT * FROM private.text_score_cache").pl()
    assert "text" not in cache.columns and cache.height == 4
    assert pl.Series(cache["text_hash"]).is_unique().all()
