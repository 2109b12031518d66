"""Text scoring speed on new texts (`make bench BENCH=text`): themes, sentiment with the
service vocabulary, stock VADER for comparison and the clause tones, over real customer
sentences (the review snippets in tests/fixtures) made distinct, on one core."""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl

from dagster_project.text.scoring import SentimentScorer, analyse_texts, load_themes
from dagster_project.text.theme_discovery import discover

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "tests/fixtures/review_snippets/amazonReviewSnippets_GroundTruth.txt"
RESULTS = ROOT / "benchmarks/results/text.json"
TARGET = 20_000


def main(copies: int = 10) -> None:
    base = [line.rstrip("\r\n").split("\t")[2] for line in SNIPPETS.open(encoding="ascii")]
    texts = [f"{t} #{i}" for i in range(copies) for t in base]  # distinct: none cached
    frame = pl.DataFrame(
        {
            "source": ["review"] * len(texts),
            "text_id": [str(i) for i in range(len(texts))],
            "text": texts,
        }
    )
    themes = load_themes(ROOT / "config/themes.yaml")
    scorer, stock = SentimentScorer(ROOT / "config/sentiment_lexicon.yaml"), SentimentScorer()
    start = time.perf_counter()
    sentiment, hits = analyse_texts(frame, themes, scorer, stock)
    scoring = time.perf_counter() - start
    unmatched = sentiment.filter(pl.col("themes_matched") == 0).join(frame, on="text_id")
    start = time.perf_counter()
    discover([(t, False) for t in unmatched["text"]], feelings=frozenset(stock.vocabulary()))
    discovery = time.perf_counter() - start
    result = {
        "texts": len(texts),
        "mean_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
        "scoring_s": round(scoring, 2),
        "texts_per_s": round(len(texts) / scoring),
        "target_texts_per_s": TARGET,
        "theme_mentions": hits.height,
        "discovery_s_over_unmatched": round(discovery, 2),
        "unmatched_texts": unmatched.height,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
