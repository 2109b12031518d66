"""Themes and sentiment of customer texts.

Themes come from an owner-editable taxonomy (``config/themes.yaml``): a text carries every
theme whose patterns it matches. Sentiment is VADER's compound score, extended with a service
vocabulary kept as data (``config/sentiment_lexicon.yaml``), because stock VADER scores
complaints stated as facts ("still waiting for the refund", "40 minutes on hold") as neutral.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    description: str
    patterns: tuple[re.Pattern, ...]

    def matches(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


def load_themes(path: Path) -> list[Theme]:
    """Read the taxonomy; a bad pattern is reported with its theme and the file."""
    doc = yaml.safe_load(path.read_text()) or {}
    themes = []
    for i, t in enumerate(doc.get("themes") or []):
        name = t.get("name")
        if not name or not t.get("patterns"):
            raise ValueError(f"{path}: theme #{i + 1} needs a name and at least one pattern")
        compiled = []
        for p in t["patterns"]:
            try:
                compiled.append(re.compile(p, re.IGNORECASE))
            except re.error as exc:
                raise ValueError(
                    f"{path}: theme {name!r}: pattern {p!r} is not valid: {exc}"
                ) from exc
        themes.append(
            Theme(name, t.get("label") or name, t.get("description") or "", tuple(compiled))
        )
    if len({t.name for t in themes}) != len(themes):
        raise ValueError(f"{path}: theme names must be unique")
    return themes


def match_themes(text: str | None, themes: list[Theme]) -> list[str]:
    if not text:
        return []
    return [t.name for t in themes if t.matches(text)]


@dataclass(frozen=True)
class Thresholds:
    positive: float = 0.05
    negative: float = -0.05

    def label(self, compound: float) -> str:
        if compound >= self.positive:
            return "positive"
        if compound <= self.negative:
            return "negative"
        return "neutral"


class SentimentScorer:
    """VADER, optionally extended with the service vocabulary (words and phrase rules)."""

    def __init__(self, lexicon_path: Path | None = None):
        self._analyzer = _stock_analyzer()
        self._phrases: list[tuple[re.Pattern, str]] = []
        self.thresholds = Thresholds()
        if lexicon_path is not None:
            doc = yaml.safe_load(lexicon_path.read_text()) or {}
            self._analyzer = copy.copy(self._analyzer)
            self._analyzer.lexicon = dict(self._analyzer.lexicon)
            for word, valence in (doc.get("words") or {}).items():
                self._analyzer.lexicon[str(word).lower()] = float(valence)
            for i, rule in enumerate(doc.get("phrases") or []):
                token = f"zzphrase{chr(97 + i // 26)}{chr(97 + i % 26)}zz"  # letters only
                self._analyzer.lexicon[token] = float(rule["valence"])
                self._phrases.append((re.compile(rule["pattern"], re.IGNORECASE), token))
            t = doc.get("thresholds") or {}
            self.thresholds = Thresholds(
                float(t.get("positive", 0.05)), float(t.get("negative", -0.05))
            )

    def compound(self, text: str | None) -> float:
        if not text:
            return 0.0
        extra = [token for pattern, token in self._phrases for _ in pattern.finditer(text)]
        # the phrase tokens go in their own sentence so they do not change VADER's handling of
        # the words around them (negation, "but", capitals)
        scored = f"{text} . {' '.join(extra)}" if extra else text
        return float(self._analyzer.polarity_scores(scored)["compound"])

    def label(self, text: str | None) -> str:
        return self.thresholds.label(self.compound(text))


@cache
def _stock_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def analyse_texts(
    texts: pl.DataFrame, themes: list[Theme], scorer: SentimentScorer, stock: SentimentScorer
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """texts (source, text_id, text) -> (one row per text with sentiment, one row per theme hit)."""
    rows, hits = [], []
    for source, text_id, text in texts.select("source", "text_id", "text").iter_rows():
        found = match_themes(text, themes)
        compound = scorer.compound(text)
        rows.append(
            {
                "source": source,
                "text_id": text_id,
                "compound": round(compound, 4),
                "label": scorer.thresholds.label(compound),
                "stock_compound": round(stock.compound(text), 4),
                "themes_matched": len(found),
            }
        )
        hits += [{"source": source, "text_id": text_id, "theme": t} for t in found]
    sentiment = pl.DataFrame(
        rows,
        schema={
            "source": pl.String,
            "text_id": pl.String,
            "compound": pl.Float64,
            "label": pl.String,
            "stock_compound": pl.Float64,
            "themes_matched": pl.Int64,
        },
    )
    theme_hits = pl.DataFrame(
        hits, schema={"source": pl.String, "text_id": pl.String, "theme": pl.String}
    )
    return sentiment, theme_hits
