"""How a figure becomes text: one null-safe path for every tile, table cell and sentence."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any


def show(value: Any, spec: str = ",", suffix: str = "", scale: float = 1.0) -> str | None:
    """The one null-safe way a figure becomes text: ``None`` when it is missing (no data, a
    division by zero, too few rows), which a tile shows as unavailable with its reason."""
    if value is None:
        return None
    try:
        number = value * scale if scale != 1.0 else value
        return f"{number:{spec}}{suffix}"
    except (TypeError, ValueError):
        return None


def cell(value: Any) -> str:
    """A table cell: empty for nothing, times to the minute, numbers with separators."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fmt_value(value: Any, unit: str, currency: str) -> str:
    if value is None:
        return "–"
    if unit == "currency":
        return f"{currency}{value:,.0f}" if abs(value) >= 1000 else f"{currency}{value:,.2f}"
    if unit == "minutes":
        return f"{value / 60:.1f} h" if value >= 120 else f"{value:.0f} min"
    if isinstance(value, float):
        return f"{value:,.1f}" if unit.startswith("%") or "points" in unit else f"{value:,.2f}"
    return f"{value:,}"


def parameters_text(template: str | None, row: dict) -> str:
    """A definition's parameters with the mart columns it names in braces filled in."""
    if not template:
        return ""

    def fill(m: re.Match) -> str:
        value = row.get(m[1])
        return "?" if value is None else str(value)

    return re.sub(r"\{(\w+)\}", fill, template)


def change_text(value: float, before: float, unit: str, currency: str, when: str) -> str:
    diff = value - before
    if unit in ("currency", "customers", "people") and before:
        return f"{diff / abs(before):+.1%} vs {when}"
    if unit.startswith("%"):  # a change of a percentage is in points, not per cent
        return f"{diff:+,.1f} points vs {when}"
    if unit == "minutes":
        sign = "+" if diff > 0 else "-" if diff < 0 else "±"
        return f"{sign}{fmt_value(abs(diff), 'minutes', currency)} vs {when}"
    return f"{diff:+,.1f} vs {when}"


def sparkline_svg(values: list, width: int = 120, height: int = 28) -> str:
    """A small inline SVG line of the values (gaps for missing ones); empty without data."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    coords = " ".join(
        f"{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in points
    )
    last_x, last_v = points[-1]
    cy = height - 2 - (last_v - lo) / span * (height - 4)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="last {len(values)} months"><polyline fill="none" '
        f'stroke="#3366cc" stroke-width="1.5" points="{coords}"/>'
        f'<circle cx="{last_x * step:.1f}" cy="{cy:.1f}" r="2.5" fill="#3366cc"/></svg>'
    )


def minutes_text(v: Any) -> str | None:
    return None if v is None else fmt_value(float(v), "minutes", "")


def in_opening_hours(v: Any) -> str | None:
    return None if v is None else f"{minutes_text(v)} in opening hours"
