"""Themes and sentiment on real customer sentences nobody here wrote (Hutto & Gilbert 2014,
see tests/fixtures/review_snippets/README.md). The figures are printed; the assertions hold the
measured level so a change that makes real text worse fails."""

import csv
import re

import numpy as np
import pytest

from dagster_project.text.scoring import SentimentScorer, load_themes, match_themes
from tests.conftest import ROOT

DATA = ROOT / "tests/fixtures/review_snippets"
THEMES = ROOT / "config/themes.yaml"
LEXICON = ROOT / "config/sentiment_lexicon.yaml"


def evaluation_split(row_id: str) -> bool:
    return int(row_id.split("_")[0]) % 5 == 0


@pytest.fixture(scope="module")
def snippets() -> list[tuple[str, float, str]]:
    rows = []
    with (DATA / "amazonReviewSnippets_GroundTruth.txt").open(encoding="ascii") as f:
        for line in f:
            row_id, rating, text = line.rstrip("\r\n").split("\t")
            rows.append((row_id, float(rating), text))
    assert len(rows) == 3708
    return rows


def gold_class(rating: float) -> str:
    return "negative" if rating <= -0.5 else "positive" if rating >= 0.5 else "neutral"


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # average ranks of ties
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def sentiment_figures(rows, scorer: SentimentScorer) -> dict:
    gold = np.array([gold_class(r) for _, r, _ in rows])
    compound = np.array([scorer.compound(t) for _, _, t in rows])
    labels = np.array([scorer.thresholds.label(c) for c in compound])
    return {
        "auc": roc_auc(-compound, gold == "negative"),
        "accuracy": float(np.mean(labels == gold)),
        "majority": max(float(np.mean(gold == c)) for c in ("negative", "neutral", "positive")),
    }


def test_sentiment_on_real_review_sentences_is_no_worse_than_stock_vader(snippets, capsys):
    lines = []
    for split, rows in (
        ("development", [r for r in snippets if not evaluation_split(r[0])]),
        ("evaluation", [r for r in snippets if evaluation_split(r[0])]),
    ):
        ours = sentiment_figures(rows, SentimentScorer(LEXICON))
        stock = sentiment_figures(rows, SentimentScorer())
        lines.append(
            f"{split} ({len(rows)} sentences): negative-vs-rest AUC {ours['auc']:.3f} "
            f"(stock VADER {stock['auc']:.3f}); 3-class accuracy {ours['accuracy']:.3f} "
            f"(stock {stock['accuracy']:.3f}, majority class {ours['majority']:.3f})"
        )
        assert ours["auc"] >= stock["auc"] - 0.002, split
        assert ours["accuracy"] >= stock["accuracy"] - 0.005, split
        assert ours["accuracy"] > ours["majority"] + 0.1, split
    with capsys.disabled():
        print("\nreal review sentences, sentiment:\n  " + "\n  ".join(lines))


def test_themes_cover_real_negative_sentences(snippets, capsys):
    themes = load_themes(THEMES)
    rows = [r for r in snippets if evaluation_split(r[0])]
    negative = [t for _, r, t in rows if gold_class(r) == "negative"]
    covered = np.mean([bool(match_themes(t, themes)) for t in negative])
    overall = np.mean([bool(match_themes(t, themes)) for _, _, t in rows])
    with capsys.disabled():
        print(
            f"\nreal review sentences (evaluation split): {covered:.0%} of {len(negative)} "
            f"negative sentences and {overall:.0%} of all {len(rows)} carry a theme"
        )
    # measured 0.51 / 0.50 on product reviews (many are about a product's own features, which a
    # service taxonomy covers only in part); the shipped taxonomy of issue 20 started at 0.11
    assert covered >= 0.48 and overall >= 0.45


def test_theme_precision_on_a_hand_checked_sample(snippets, capsys):
    themes = load_themes(THEMES)
    by_id = {row_id: text for row_id, _, text in snippets}
    with (DATA / "theme_hits_checked.csv").open() as f:
        checked = [r for r in csv.DictReader(f) if r["round"] == "3"]
    assert len(checked) == 80 and all(evaluation_split(r["snippet_id"]) for r in checked)
    found = [r for r in checked if r["theme"] in match_themes(by_id[r["snippet_id"]], themes)]
    # the sample judges the taxonomy as it is: if most of its matches are gone, judge a new one
    assert len(found) >= 0.9 * len(checked), "the taxonomy changed: draw and judge a new sample"
    precision = np.mean([r["correct"] == "1" for r in found])
    with capsys.disabled():
        print(f"\ntheme precision, {len(found)} hand-checked matches on real text: {precision:.2f}")
    assert precision >= 0.8


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Still not resolved", "negative"),
        ("The parcel never arrived", "negative"),
        ("No problem at all, happy to help", "positive"),
        ("No complaints here", "positive"),
        ("Couldn't be happier with the service", "positive"),
        ("Kindly refund my money", "neutral"),
        ("Great, another delay", "negative"),
        ("Thanks for nothing", "negative"),
        ("I have been on hold for 45 minutes", "negative"),
        ("Flight cancelled and no one will help", "negative"),
        ("Never again", "negative"),
        ("The staff were not rude", "positive"),
        ("Great food but we waited an hour", "negative"),
    ],
)
def test_service_language_gets_the_right_tone(text, label):
    """Phrases stock VADER reads the wrong way round (see config/sentiment_lexicon.yaml)."""
    assert SentimentScorer(LEXICON).label(text) == label


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("The staff were not rude", {"staff_friendliness"}),
        ("It was kind of cold in there", set()),
        ("If I remember correctly it was a Tuesday", set()),
        ("They lost my bag and nobody called back", {"delivery", "listened_to"}),
        ("Appointment cancelled the night before", {"booking_availability", "cancellations"}),
        ("Charged twice and still no refund", {"refunds_billing"}),
        ("I charge the battery every night", {"product_quality"}),  # not billing
        ("The app keeps crashing at checkout", {"online_app"}),
    ],
)
def test_theme_matching_is_precise_at_word_boundaries_and_exclusions(text, themes):
    found = set(match_themes(text, load_themes(THEMES)))
    assert found == themes, (text, found)


def test_every_pattern_uses_word_boundaries_or_symbols():
    """A pattern without \\b matches inside other words ("late" in "chocolate")."""
    for theme in load_themes(THEMES):
        for p in theme.patterns:
            assert p.pattern.startswith(("\\b", "[")) or re.match(r"\\", p.pattern), (
                theme.name,
                p.pattern,
            )
