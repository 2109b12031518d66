"""The customer journey the owner defines (config/journey.yaml): stages in order, each mapped
from feedback sources (online reviews, survey responses by touchpoint, support tickets). It
becomes ``profile.journey_map``, which the journey marts join the feedback events to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from dagster_project.tables import table

SOURCES = {"review": "platforms", "nps": "touchpoints", "ticket": None}  # source -> its filter


class JourneyError(ValueError):
    """The journey file is not one this product can read; the message says where."""


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    description: str
    sources: tuple[tuple[str, str | None], ...]  # (source, one value of its filter or None)


def _sources(path: Path, stage: str, items: Any) -> tuple[tuple[str, str | None], ...]:
    if not isinstance(items, list) or not items:
        raise JourneyError(f"{path}: stage {stage!r}: sources must be a non-empty list")
    out: list[tuple[str, str | None]] = []
    for item in items:
        if not isinstance(item, (str, dict)) or (isinstance(item, dict) and len(item) != 1):
            raise JourneyError(f"{path}: stage {stage!r}: a source is a name or {{name: {{...}}}}")
        name, options = (item, None) if isinstance(item, str) else next(iter(item.items()))
        if options is not None and not isinstance(options, dict):
            raise JourneyError(f"{path}: stage {stage!r}: the options of {name!r} are a mapping")
        if name not in SOURCES:
            raise JourneyError(
                f"{path}: stage {stage!r}: unknown source {name!r} (one of {', '.join(SOURCES)})"
            )
        key = SOURCES[name]
        values = (options or {}).get(key) if key else None
        unknown = set(options or {}) - ({key} if key else set())
        if unknown:
            raise JourneyError(f"{path}: stage {stage!r}: source {name!r} has no option {unknown}")
        if values is None:
            out.append((name, None))
        else:
            out += [(name, str(v)) for v in values]
    return tuple(out)


def load_journey(path: Path) -> list[Stage]:
    """The stages of the journey file, in order; none when the file does not exist."""
    if not path.is_file():
        return []
    doc = yaml.safe_load(path.read_text()) or {}
    stages = []
    for n, raw in enumerate(doc.get("stages") or [], start=1):
        if not isinstance(raw, dict) or not raw.get("id"):
            raise JourneyError(f"{path}: stage {n} has no id")
        sid = str(raw["id"])
        if not re.fullmatch(r"[a-z][a-z0-9_]*", sid):
            raise JourneyError(f"{path}: stage id {sid!r}: lower-case letters, digits and _ only")
        if any(s.id == sid for s in stages):
            raise JourneyError(f"{path}: stage {sid!r} is defined twice")
        stages.append(
            Stage(
                id=sid,
                label=str(raw.get("label") or sid.replace("_", " ").capitalize()),
                description=str(raw.get("description") or ""),
                sources=_sources(path, sid, raw.get("sources")),
            )
        )
    return stages


def journey_frame(stages: list[Stage]) -> pl.DataFrame:
    """``profile.journey_map``: one row per stage and source (and filter value)."""
    return table("profile.journey_map").frame(
        [
            {
                "stage": s.id,
                "stage_label": s.label,
                "stage_position": position,
                "stage_description": s.description,
                "source": source,
                "source_filter": value,
            }
            for position, s in enumerate(stages, start=1)
            for source, value in s.sources
        ]
    )
