"""Score every customer text in the warehouse: themes and sentiment into the analysis schema.

Scoring is the slow part (VADER and every theme pattern over each text), and texts repeat
("Still waiting for the refund") and stay the same from one refresh to the next. Each distinct
text is scored once per scoring configuration (the themes file, the sentiment lexicon and the
scorer's version) and kept in ``private.text_score_cache`` keyed by a hash of the text and of
that configuration; a refresh scores only texts it has not seen, and editing the themes or the
lexicon scores everything again. The cache is not published (the private schema stays out of
the analyst copy); the models tables are rebuilt from it in full, so they never depend on it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.tables import ensure_table, replace_table, table
from dagster_project.text.scoring import SentimentScorer, Theme, analyse_texts, load_themes
from dagster_project.text.theme_discovery import discover

# the texts, gathered in one place by dbt (intermediate.int_customer_texts_unioned)
TEXTS_SQL = """
SELECT source, text_id, text FROM intermediate.int_customer_texts_unioned
ORDER BY source, text_id
"""


SCORER_VERSION = "2"  # raise when scoring code changes in a way the two files do not show


def config_hash(themes_path: Path, lexicon_path: Path) -> str:
    h = hashlib.sha256(SCORER_VERSION.encode())
    for path in (themes_path, lexicon_path):
        h.update(b"\0" + path.read_bytes())
    return h.hexdigest()[:32]


def _scored(
    con: duckdb.DuckDBPyConnection,
    texts: pl.DataFrame,
    themes: list[Theme],
    themes_path: Path,
    lexicon_path: Path,
) -> tuple[pl.DataFrame, int]:
    """Per distinct text hash: its scores, from the cache or scored now. Returns the scores of
    every text hash in ``texts`` and how many distinct texts were scored now."""
    config = config_hash(themes_path, lexicon_path)
    ensure_table(con, "private.text_score_cache")
    con.execute("DELETE FROM private.text_score_cache WHERE config_hash <> ?", [config])
    distinct = texts.select("text_hash", "text").unique("text_hash", keep="first")
    con.register("_distinct", distinct.to_arrow())
    try:
        new = con.sql(
            "SELECT d.text_hash, d.text FROM _distinct AS d ANTI JOIN "
            "(SELECT text_hash FROM private.text_score_cache WHERE config_hash = $config) AS c "
            "USING (text_hash) ORDER BY d.text_hash",
            params={"config": config},
        ).pl()
    finally:
        con.unregister("_distinct")
    if new.height:
        sentiment, hits = analyse_texts(
            new.select(pl.lit("new").alias("source"), pl.col("text_hash").alias("text_id"), "text"),
            themes,
            SentimentScorer(lexicon_path),
            SentimentScorer(),
        )
        found = hits.group_by("text_id", maintain_order=True).agg(
            pl.col("theme").alias("themes"), pl.col("compound").alias("theme_compounds")
        )
        rows = sentiment.join(found, on="text_id", how="left").select(
            pl.lit(config).alias("config_hash"),
            pl.col("text_id").alias("text_hash"),
            "compound",
            "label",
            "stock_compound",
            pl.col("themes").fill_null([]),
            pl.col("theme_compounds").fill_null([]),
        )
        con.register("_new_scores", rows.to_arrow())
        try:
            con.execute(
                "INSERT INTO private.text_score_cache (config_hash, text_hash, compound, label, "
                "stock_compound, themes, theme_compounds) SELECT * FROM _new_scores"
            )
        finally:
            con.unregister("_new_scores")
    cached = con.sql(
        "SELECT text_hash, compound, label, stock_compound, themes, theme_compounds "
        "FROM private.text_score_cache WHERE config_hash = $config",
        params={"config": config},
    ).pl()
    return cached, new.height


def candidates_frame(joined: pl.DataFrame, themes: list[Theme]) -> pl.DataFrame:
    """Candidate themes from the texts no theme matched (see theme_discovery)."""
    unmatched = joined.filter(pl.col("themes").list.len() == 0)
    found = discover(
        [(t, label == "negative") for t, label in unmatched.select("text", "label").iter_rows()],
        taken_names={t.name for t in themes},
        feelings=frozenset(SentimentScorer().vocabulary()),
    )
    return pl.DataFrame(
        [
            {
                "candidate_rank": c.rank,
                "phrase": c.phrase,
                "texts": c.texts,
                "negative_texts": c.negative_texts,
                "top_words": ", ".join(c.top_words),
                "example_1": (c.examples + ("", "", ""))[0] or None,
                "example_2": (c.examples + ("", "", ""))[1] or None,
                "example_3": (c.examples + ("", "", ""))[2] or None,
                "theme_yaml": c.yaml,
            }
            for c in found
        ],
        schema=table("analysis.theme_candidates").polars_schema,
    )


def score_texts(con: duckdb.DuckDBPyConnection, themes_path: Path, lexicon_path: Path) -> dict:
    """Replace analysis.text_sentiment, analysis.text_themes and analysis.theme_catalogue, scoring
    only the texts no earlier refresh scored with the same themes and lexicon."""
    themes = load_themes(themes_path)
    texts = con.sql(TEXTS_SQL).pl()
    texts = texts.with_columns(
        pl.col("text")
        .map_elements(lambda t: hashlib.sha256(t.encode()).hexdigest()[:32], return_dtype=pl.String)
        .alias("text_hash")
    )
    scores, scored_now = _scored(con, texts, themes, themes_path, lexicon_path)
    joined = texts.join(scores, on="text_hash", how="left", maintain_order="left")
    sentiment = joined.select(
        "source",
        "text_id",
        "compound",
        "label",
        "stock_compound",
        pl.col("themes").list.len().cast(pl.Int64).alias("themes_matched"),
    )
    thresholds = SentimentScorer(lexicon_path).thresholds
    hits = (
        joined.select("source", "text_id", "themes", "theme_compounds")
        .explode(["themes", "theme_compounds"])
        .drop_nulls("themes")
        .rename({"themes": "theme", "theme_compounds": "compound"})
        .with_columns(
            pl.when(pl.col("compound") >= thresholds.positive)
            .then(pl.lit("positive"))
            .when(pl.col("compound") <= thresholds.negative)
            .then(pl.lit("negative"))
            .otherwise(pl.lit("neutral"))
            .alias("label")
        )
    )
    catalogue = pl.DataFrame(
        [
            {
                "theme": t.name,
                "label": t.label,
                "description": t.description,
                "patterns": len(t.patterns),
                "position": i + 1,
            }
            for i, t in enumerate(themes)
        ],
        schema=table("analysis.theme_catalogue").polars_schema,
    )
    candidates = candidates_frame(joined, themes)
    con.execute("CREATE SCHEMA IF NOT EXISTS analysis")  # outside the transaction below
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in (
            ("text_sentiment", sentiment),
            ("text_themes", hits),
            ("theme_catalogue", catalogue),
            ("theme_candidates", candidates),
        ):
            replace_table(con, f"analysis.{name}", frame)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {
        "texts": sentiment.height,
        "theme_mentions": hits.height,
        "unmatched_texts": int((sentiment["themes_matched"] == 0).sum()),
        "negative_texts": int((sentiment["label"] == "negative").sum()),
        "themes": len(themes),
        "candidate_themes": candidates.height,
        "texts_scored_now": scored_now,
    }
