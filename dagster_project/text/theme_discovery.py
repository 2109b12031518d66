"""Candidate themes from the texts no theme explains.

The unmatched texts are grouped by the word or two-word phrase they share most: the phrase
found in the most unmatched texts starts a group of every text that contains it; those texts
are set aside and the next phrase is chosen from the rest. Each group is a candidate theme with
its size, how many of its texts are negative, the words its texts share, three examples and
the YAML lines that add it to ``config/themes.yaml``. Grouping by a shared phrase rather than
by a learned clustering keeps every candidate explainable (the owner sees why the texts are
together) and reproducible (the same texts always give the same candidates), and the phrase is
the pattern the owner adds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further get got had hadn't
    has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
    how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more
    most much mustn't my myself never no nor not now of off on once one only or other ought our
    ours ourselves out over own really same shan't she she'd she'll she's should shouldn't so
    some still such than that that's the their theirs them themselves then there there's these
    they they'd they'll they're they've this those through to too under until up us very was
    wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
    while who who's whom why why's will with won't would wouldn't you you'd you'll you're you've
    your yours yourself yourselves thing things lot lots bit way well yes ok okay thanks thank
    please dont didnt cant wont im ive its yet another back going go went make made take took
    know see say said told tell want need would've""".split()
)
WORD = re.compile(r"[a-z][a-z']+")


@dataclass(frozen=True)
class Candidate:
    rank: int
    phrase: str
    texts: int
    negative_texts: int
    top_words: tuple[str, ...]
    examples: tuple[str, ...]
    yaml: str


def _terms(text: str, feelings: frozenset[str]) -> set[str]:
    """Words and adjacent word pairs, without stop words; a word of feeling ("great", "awful")
    says how, not what, so it is no theme on its own."""
    words = [w.strip("'") for w in WORD.findall(text.lower())]
    words = [w for w in words if len(w) >= 3 and w not in STOPWORDS]
    pairs = {
        f"{a} {b}"
        for a, b in zip(words, words[1:], strict=False)
        if not (a in feelings and b in feelings)
    }
    return {w for w in words if w not in feelings} | pairs


def _name(phrase: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", phrase).strip("_") or "theme"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    return name


def _single_quoted(value: str) -> str:
    """A YAML single-quoted scalar: one line, quotes doubled, control characters dropped."""
    one_line = " ".join("".join(c if c.isprintable() else " " for c in value).split())
    return "'" + one_line.replace("'", "''") + "'"


def theme_yaml(name: str, phrase: str, examples: tuple[str, ...]) -> str:
    """The lines to paste under ``themes:`` (two-space indent, as in the shipped file)."""
    pattern = r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b"
    quoted = ", ".join(_single_quoted(e[:80]) for e in examples[:2])
    return "\n".join(
        [
            f"  - name: {name}",
            f"    label: {_single_quoted(phrase.capitalize())}",
            f"    description: {_single_quoted(f'Texts that mention {phrase} (edit me)')}",
            f"    examples: [{quoted}]",
            "    patterns:",
            f"      - {_single_quoted(pattern)}",
        ]
    )


def discover(
    texts: list[tuple[str, bool]],
    taken_names: set[str] | frozenset[str] = frozenset(),
    feelings: frozenset[str] = frozenset(),
    max_candidates: int = 8,
    min_texts: int = 3,
    min_share: float = 0.01,
) -> list[Candidate]:
    """texts: (text, is_negative) of the texts no theme matched. A phrase must be shared by at
    least ``min_texts`` texts and ``min_share`` of them to become a candidate. ``feelings``:
    words that carry sentiment (VADER's lexicon), never a theme on their own."""
    docs = [(t, neg, _terms(t, feelings)) for t, neg in texts if t and t.strip()]
    floor = max(min_texts, int(min_share * len(docs) + 0.999))
    remaining = docs
    taken = set(taken_names)
    out: list[Candidate] = []
    while remaining and len(out) < max_candidates:
        df = Counter(term for _, _, terms in remaining for term in terms)
        if not df:
            break
        # a two-word phrase wins over its words when nearly as frequent: it says more
        best = max(
            df.items(),
            key=lambda kv: (kv[1] * (1.25 if " " in kv[0] else 1.0), kv[0].count(" "), kv[0]),
        )
        phrase, count = best
        if count < floor:
            break
        group = [d for d in remaining if phrase in d[2]]
        remaining = [d for d in remaining if phrase not in d[2]]
        parts = set(phrase.split())
        shared = Counter(
            term for _, _, terms in group for term in terms if " " not in term and term not in parts
        )
        # ties by the word itself: a Counter built from sets keeps hash order, which changes
        # from one process to the next
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))
        top = tuple(w for w, n in ranked[:5] if n >= 2)
        # examples: the shortest distinct texts, which read fastest
        examples = tuple(sorted({t.strip() for t, _, _ in group}, key=lambda t: (len(t), t))[:3])
        name = _name(phrase, taken)
        taken.add(name)
        out.append(
            Candidate(
                rank=len(out) + 1,
                phrase=phrase,
                texts=len(group),
                negative_texts=sum(1 for _, neg, _ in group if neg),
                top_words=top,
                examples=examples,
                yaml=theme_yaml(name, phrase, examples),
            )
        )
    return out
