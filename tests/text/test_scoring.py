"""Themes and sentiment on texts written and labelled by hand for this project."""

import numpy as np
import polars as pl
import pytest

from dagster_project.demo import texts as demo_texts
from dagster_project.text.scoring import SentimentScorer, analyse_texts, load_themes, match_themes
from tests.conftest import ROOT

LABELLED = ROOT / "tests/fixtures/labelled_texts.csv"
THEMES = ROOT / "config/themes.yaml"
LEXICON = ROOT / "config/sentiment_lexicon.yaml"


@pytest.fixture(scope="module")
def labelled() -> pl.DataFrame:
    df = pl.read_csv(LABELLED)
    assert df.height >= 60
    return df


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a random positive case scores above a random negative one (ties 1/2)."""
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def test_theme_matcher_finds_the_hand_labelled_themes(labelled, capsys):
    themes = load_themes(THEMES)
    tp = fp = fn = exact = 0
    for text, gold_text in labelled.select("text", "themes").iter_rows():
        gold = set((gold_text or "").split(";")) - {""}
        found = set(match_themes(text, themes))
        tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
        exact += gold == found
    precision, recall, exact_rate = tp / (tp + fp), tp / (tp + fn), exact / labelled.height
    # a random labeller that gives each text the right number of themes, drawn from the eight,
    # reaches a precision and recall of about 1/8
    with capsys.disabled():
        print(
            f"\nthemes: precision {precision:.2f}, recall {recall:.2f}, "
            f"exact {exact_rate:.2f} (random labeller about 0.12)"
        )
    assert precision >= 0.9 and recall >= 0.85 and exact_rate >= 0.85


def test_extended_vader_separates_negative_texts_better_than_stock(labelled, capsys):
    extended, stock = SentimentScorer(LEXICON), SentimentScorer()
    texts = labelled["text"].to_list()
    gold = labelled["sentiment"].to_numpy()
    negative = gold == "negative"
    # a more negative compound score should mean a negative text: score = -compound
    auc_ext = roc_auc(-np.array([extended.compound(t) for t in texts]), negative)
    auc_stock = roc_auc(-np.array([stock.compound(t) for t in texts]), negative)
    acc_ext = np.mean([extended.label(t) == g for t, g in zip(texts, gold, strict=True)])
    acc_stock = np.mean([stock.label(t) == g for t, g in zip(texts, gold, strict=True)])
    majority = max(np.mean(gold == c) for c in ("negative", "neutral", "positive"))
    with capsys.disabled():
        print(f"\nnegative vs rest ROC AUC: extended {auc_ext:.3f}, stock VADER {auc_stock:.3f}")
        print(
            f"3-class accuracy: extended {acc_ext:.2f}, stock {acc_stock:.2f}, "
            f"majority class {majority:.2f}, random labeller 0.33"
        )
    assert auc_ext >= 0.9 and auc_ext > auc_stock + 0.1
    assert acc_ext >= 0.85 and acc_ext > majority + 0.3


def test_service_complaints_stated_as_facts_are_negative():
    extended, stock = SentimentScorer(LEXICON), SentimentScorer()
    for text in ("my order was late again", "still waiting for the refund", "40 minutes on hold"):
        assert stock.label(text) == "neutral", text  # the gap this extension closes
        assert extended.label(text) == "negative", text


def test_a_bad_pattern_is_reported_with_its_theme_and_file(tmp_path):
    bad = tmp_path / "themes.yaml"
    bad.write_text("themes:\n  - name: price\n    patterns: ['(unclosed']\n")
    with pytest.raises(ValueError, match=r"themes.yaml: theme 'price': pattern '\(unclosed'"):
        load_themes(bad)


def test_planted_waiting_time_complaints_are_found_where_planted():
    """The generator puts waiting-time complaints in two thirds of Riverside's negative
    comments and a quarter elsewhere; the matcher must see Riverside's share clearly higher."""
    themes = load_themes(THEMES)
    rng = np.random.default_rng(5)
    share = {}
    for store, planted in (("riverside", 0.67), ("other", 0.25)):
        comments = [
            demo_texts.nps_comment(int(rng.integers(0, 7)), rng, planted) for _ in range(800)
        ]
        comments = [c for c in comments if c]
        share[store] = np.mean(["waiting_time" in match_themes(c, themes) for c in comments])
    assert share["riverside"] == pytest.approx(0.67, abs=0.08)
    assert share["other"] == pytest.approx(0.25 + 0.75 / 7, abs=0.08)  # + its share of the rest
    assert share["riverside"] > share["other"] + 0.2


def test_a_text_about_several_themes_gives_each_the_tone_of_its_own_clauses():
    themes, scorer = load_themes(THEMES), SentimentScorer(LEXICON)
    texts = pl.DataFrame(
        {
            "source": ["nps_comment"] * 3,
            "text_id": ["1", "2", "3"],
            "text": [
                "Great food but we waited an hour",
                "Lovely staff. The toilets were filthy.",
                "Slow service this morning",
            ],
        }
    )
    _, hits = analyse_texts(texts, themes, scorer, SentimentScorer())
    tone = {(i, t): label for i, t, label in hits.select("text_id", "theme", "label").iter_rows()}
    assert tone == {
        ("1", "product_quality"): "positive",
        ("1", "waiting_time"): "negative",
        ("2", "staff_friendliness"): "positive",
        ("2", "cleanliness"): "negative",
        ("3", "waiting_time"): "negative",  # one theme: the text's own tone
    }
