"""Score every customer text in the warehouse: themes and sentiment into the models schema."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dagster_project.kpis.text import SentimentScorer, analyse_texts, load_themes

TEXTS_SQL = """
SELECT 'nps_comment' AS source, response_id AS text_id, comment AS text
FROM staging.stg_nps__responses WHERE comment IS NOT NULL
UNION ALL
SELECT 'ticket', ticket_id, concat_ws('. ', subject, description)
FROM staging.stg_support__tickets WHERE coalesce(subject, description) IS NOT NULL
UNION ALL
SELECT 'csat_comment', ticket_id, csat_comment
FROM staging.stg_support__tickets WHERE csat_comment IS NOT NULL
ORDER BY source, text_id
"""


def score_texts(con: duckdb.DuckDBPyConnection, themes_path: Path, lexicon_path: Path) -> dict:
    """Replace models.text_sentiment, models.text_themes and models.theme_catalogue."""
    themes = load_themes(themes_path)
    texts = con.sql(TEXTS_SQL).pl()
    sentiment, hits = analyse_texts(texts, themes, SentimentScorer(lexicon_path), SentimentScorer())
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
        schema={
            "theme": pl.String,
            "label": pl.String,
            "description": pl.String,
            "patterns": pl.Int64,
            "position": pl.Int64,
        },
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS models")
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in (
            ("text_sentiment", sentiment),
            ("text_themes", hits),
            ("theme_catalogue", catalogue),
        ):
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE OR REPLACE TABLE models.{name} AS SELECT * FROM _frame")
            con.unregister("_frame")
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
    }
