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
from functools import cache, cached_property
from pathlib import Path

import polars as pl
import yaml
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from dagster_project.tables import table


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    description: str
    patterns: tuple[re.Pattern, ...]
    exclude: tuple[re.Pattern, ...] = ()
    examples: tuple[str, ...] = ()

    @cached_property
    def _any(self) -> re.Pattern:
        return re.compile(_alternation(self.patterns), re.IGNORECASE)

    @cached_property
    def _excluded(self) -> re.Pattern | None:
        return re.compile(_alternation(self.exclude), re.IGNORECASE) if self.exclude else None

    def matches(self, text: str) -> bool:
        # an excluded phrase ("kind of", "staff member") is blanked out before the search
        if self._excluded is not None:
            text = self._excluded.sub(BLANK, text)
        return self._any.search(text) is not None

    def matches_all(self, texts: pl.Series) -> pl.Series:
        """The same answer as ``matches`` for a column of texts, in polars' regex engine (many
        times faster); a pattern that engine cannot run (look-arounds) falls back to Python."""
        try:
            if self._excluded is not None:
                texts = texts.str.replace_all(f"(?i){self._excluded.pattern}", BLANK)
            return texts.str.contains(f"(?i){self._any.pattern}").fill_null(False)
        except pl.exceptions.ComputeError:
            return texts.map_elements(
                lambda t: self.matches(t) if t else False, return_dtype=pl.Boolean
            )


BLANK = " \u00a6 "  # stands in for an excluded phrase: matches no pattern, keeps word bounds


def _alternation(patterns: tuple[re.Pattern, ...]) -> str:
    return "|".join(f"(?:{p.pattern})" for p in patterns)


def _compile(path: Path, name: str, patterns: list, field: str) -> tuple[re.Pattern, ...]:
    compiled = []
    for p in patterns or []:
        try:
            compiled.append(re.compile(str(p), re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{path}: theme {name!r}: {field} {p!r} is not valid: {exc}") from exc
    return tuple(compiled)


def load_themes(path: Path) -> list[Theme]:
    """Read the taxonomy; a bad pattern is reported with its theme and the file."""
    doc = yaml.safe_load(path.read_text()) or {}
    themes = []
    for i, t in enumerate(doc.get("themes") or []):
        name = t.get("name")
        if not name or not t.get("patterns"):
            raise ValueError(f"{path}: theme #{i + 1} needs a name and at least one pattern")
        themes.append(
            Theme(
                name,
                t.get("label") or name,
                t.get("description") or "",
                _compile(path, name, t["patterns"], "pattern"),
                _compile(path, name, t.get("exclude"), "exclude pattern"),
                tuple(str(e) for e in t.get("examples") or ()),
            )
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
        self._vocabulary = r"\A\z\A"  # words added to VADER's lexicon: none
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
                try:
                    re.compile(rule["pattern"])
                except re.error as exc:
                    raise ValueError(
                        f"{lexicon_path}: phrase {rule['pattern']!r} is not valid: {exc}"
                    ) from exc
                self._phrases.append((re.compile(rule["pattern"], re.IGNORECASE), f" {token} "))
            added = sorted({re.escape(str(w).lower()) for w in doc.get("words") or {}})
            if added:
                self._vocabulary = rf"(?:^|[^\w'])(?:{'|'.join(added)})(?:$|[^\w'])"
            t = doc.get("thresholds") or {}
            self.thresholds = Thresholds(
                float(t.get("positive", 0.05)), float(t.get("negative", -0.05))
            )

    def compound(self, text: str | None) -> float:
        if not text:
            return 0.0
        # each phrase is replaced by one token of its valence, so the words inside it are not
        # scored again ("no problem" is not a problem; "still not resolved" has no "not" to
        # flip the phrase); a negation before the phrase still applies to it, as to a word
        return float(self._analyzer.polarity_scores(self._replaced(text))["compound"])

    def label(self, text: str | None) -> str:
        return self.thresholds.label(self.compound(text))

    def vocabulary(self) -> set[str]:
        """The words this scorer gives a feeling to."""
        return {w for w, v in self._analyzer.lexicon.items() if v and not w.startswith("zzphrase")}

    def compound_all(self, texts: pl.Series) -> list[float]:
        """``compound`` of every text; the phrase replacements run in polars' regex engine."""
        return self.compound_pairs(texts, None)[0]

    def compound_pairs(
        self, texts: pl.Series, stock: SentimentScorer | None
    ) -> tuple[list[float], list[float]]:
        """``compound`` of every text by this scorer and by ``stock``. A text in which no
        phrase matched and no word of the added vocabulary occurs scores the same under both,
        so VADER runs once for it."""
        original = texts.fill_null("")
        replaced = original
        try:
            for pattern, token in self._phrases:
                replaced = replaced.str.replace_all(f"(?i){pattern.pattern}", token)
            replaced_list = replaced.to_list()
        except pl.exceptions.ComputeError:
            replaced_list = [self._replaced(t) for t in original]
        score = self._analyzer.polarity_scores
        ours = [float(score(t)["compound"]) if t else 0.0 for t in replaced_list]
        if stock is None:
            return ours, []
        same = (original == replaced) & ~original.str.to_lowercase().str.contains(
            self._vocabulary
        ).fill_null(False)
        stock_score = stock._analyzer.polarity_scores
        theirs = [
            o if keep else (float(stock_score(t)["compound"]) if t else 0.0)
            for o, keep, t in zip(ours, same.to_list(), original.to_list(), strict=True)
        ]
        return ours, theirs

    def _replaced(self, text: str) -> str:
        for pattern, token in self._phrases:
            text = pattern.sub(token, text)
        return text


@cache
def _stock_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


CLAUSE_BREAK = re.compile(r"[.!?;\n]+|\s+(?:but|however|although|though|except)\b", re.IGNORECASE)


def theme_tones(
    text: str | None, themes: list[Theme], compound: float, scorer: SentimentScorer
) -> list[float]:
    """The tone of each theme of a text. A text about one theme gives it its own tone; a text
    about several gives each the tone of the clauses that mention it ("great food but we
    waited an hour": the food positive, the wait negative). A theme no single clause mentions
    takes the tone of the whole text."""
    if len(themes) < 2 or not text:
        return [compound] * len(themes)
    clauses = [c for c in CLAUSE_BREAK.split(text) if c and c.strip()]
    if len(clauses) < 2:
        return [compound] * len(themes)
    scored: dict[int, float] = {}  # each clause scored once, however many themes it holds
    tones = []
    for theme in themes:
        own = [i for i, c in enumerate(clauses) if theme.matches(c)]
        for i in own:
            if i not in scored:
                scored[i] = scorer.compound(clauses[i])
        tones.append(sum(scored[i] for i in own) / len(own) if own else compound)
    return tones


def analyse_texts(
    texts: pl.DataFrame, themes: list[Theme], scorer: SentimentScorer, stock: SentimentScorer
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """texts (source, text_id, text) -> (one row per text with sentiment, one row per theme hit)."""
    column = texts["text"].cast(pl.String)
    found = [t.matches_all(column).to_list() for t in themes]
    flags = list(zip(*found, strict=True)) if themes else [()] * texts.height
    compound, stock_compound = scorer.compound_pairs(column, stock)
    texts_list = column.to_list()
    rows, hits = [], []
    for i, (source, text_id) in enumerate(texts.select("source", "text_id").iter_rows()):
        matched = [t for t, hit in zip(themes, flags[i], strict=True) if hit]
        tones = theme_tones(texts_list[i], matched, compound[i], scorer)
        rows.append(
            {
                "source": source,
                "text_id": text_id,
                "compound": round(compound[i], 4),
                "label": scorer.thresholds.label(compound[i]),
                "stock_compound": round(stock_compound[i], 4),
                "themes_matched": len(matched),
            }
        )
        hits += [
            {
                "source": source,
                "text_id": text_id,
                "theme": t.name,
                "compound": round(tone, 4),
                "label": scorer.thresholds.label(round(tone, 4)),
            }
            for t, tone in zip(matched, tones, strict=True)
        ]
    sentiment = table("analysis.text_sentiment").frame(rows)
    theme_hits = table("analysis.text_themes").frame(hits)
    return sentiment, theme_hits
