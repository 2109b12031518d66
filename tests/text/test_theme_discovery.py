"""Candidate themes from unmatched texts: grouped by shared phrase, explainable, and the YAML
lines they offer work when pasted into the taxonomy."""

import json
import os
import subprocess
import sys

import yaml

from dagster_project.text.scoring import SentimentScorer, load_themes, match_themes
from dagster_project.text.theme_discovery import discover
from tests.conftest import ROOT

TEXTS = [
    ("The gift card balance was wrong on the receipt", True),
    ("Gift card would not scan at the till", True),
    ("Bought a gift card for my mum, lovely idea", False),
    ("Can I use my gift card online?", False),
    ("The parking meter outside is broken", True),
    ("Dog friendly! Brought the dog, got a treat", False),
    ("Dog bowl by the door was empty", True),
    ("The dog water bowl is a nice touch", False),
    ("Great", False),
    ("", False),
]


def test_unmatched_texts_are_grouped_by_the_phrase_they_share():
    found = discover(TEXTS, min_texts=3)
    assert [(c.phrase, c.texts, c.negative_texts) for c in found] == [
        ("gift card", 4, 2),
        ("dog", 3, 1),
    ]
    gift = found[0]
    assert gift.rank == 1 and "balance" not in gift.top_words  # a word of one text only
    # the three shortest texts, for reading at a glance
    assert gift.examples == (
        "Can I use my gift card online?",
        "Gift card would not scan at the till",
        "Bought a gift card for my mum, lovely idea",
    )
    assert discover(TEXTS, min_texts=3) == found  # the same texts give the same candidates


def test_the_same_texts_give_the_same_candidates_in_every_process():
    """Python salts string hashes per process, so anything ordered by a set changes between
    refreshes; the candidates (and their shared words) must not."""
    # six words shared by two texts each: only five are shown, so ties decide which and in what order
    words = [("apple", "pear", "plum"), ("kiwi", "lime", "fig")]
    texts = [(f"gift card {a} {b} {c}", False) for a, b, c in words for _ in range(2)]
    code = (
        "import json, sys; from dagster_project.text.theme_discovery import discover; "
        "texts = json.loads(sys.stdin.read()); "
        "print(json.dumps([(c.phrase, c.top_words, c.examples) for c in discover(texts)]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=ROOT,
        ).stdout
        for seed in range(6)
    }
    assert len(outputs) == 1
    (out,) = outputs
    assert json.loads(out)[0][1] == ["apple", "fig", "kiwi", "lime", "pear"]


def test_words_of_feeling_and_rare_phrases_are_no_candidates():
    feelings = frozenset(SentimentScorer().vocabulary())
    texts = [("Lovely lovely lovely", False)] * 5 + [("Terrible, just terrible", True)] * 5
    assert discover(texts, feelings=feelings) == []
    assert discover(TEXTS, min_texts=5) == []


def test_the_offered_lines_pasted_into_the_taxonomy_explain_the_group(tmp_path):
    shipped = (ROOT / "config/themes.yaml").read_text()
    hostile = [('Gift card: it\'s "broken" \\ again\n  - name: evil', True)] + TEXTS
    taxonomy = tmp_path / "themes.yaml"
    for candidate in discover(hostile, taken_names={"dog"}, min_texts=3):
        taxonomy.write_text(shipped + "\n" + candidate.yaml + "\n")
        doc = yaml.safe_load(taxonomy.read_text())
        added = doc["themes"][-1]
        assert added["name"] != "dog" and "evil" not in [t["name"] for t in doc["themes"]]
        themes = load_themes(taxonomy)
        group = [t for t, _ in hostile if candidate.phrase in t.lower()]
        assert group and all(added["name"] in match_themes(t, themes) for t in group)
