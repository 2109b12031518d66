"""The Overview's KPI tiles (value, changes, sparkline, n) and the "What changed" sentences, all driven by the KPI definitions seed."""

from __future__ import annotations

import datetime as dt

from reports.formatting import change_text, fmt_value, parameters_text, sparkline_svg
from reports.sources import SOURCE_EXPORTS


def kpi_tiles(
    company: list[dict],
    definitions: list[dict],
    currency: str,
    snapshots: dict[str, dict] | None = None,
    loaded: set[str] | None = None,
) -> list[dict]:
    """One tile per KPI definition: the latest month, the change on the month before and on the
    same month a year earlier, a sparkline, its n. A KPI that is a single current figure (a
    snapshot mart such as the CLV prediction) gets its value and n without comparisons."""
    if not company:
        return []
    snapshots = snapshots or {}
    cur, prev = company[-1], (company[-2] if len(company) > 1 else None)
    tiles = []
    for d in definitions:
        monthly = d["mart"] == "kpi_company_monthly"
        if not monthly and d["mart"] not in snapshots:
            continue
        row = cur if monthly else snapshots[d["mart"]]
        col = d["value_column"]
        absent = loaded is not None and d.get("source") and d["source"] not in loaded
        value = None if absent else row.get(col)
        n = None if absent else (row.get(d["n_column"]) if d["n_column"] else None)
        tile = {
            "kpi": d["kpi"],
            "label": d["label"],
            "value": value,
            "n": n,
            "display": fmt_value(value, d["unit"], currency)
            + ("" if value is None else (d.get("suffix") or "")),
            "formula": d["formula"],
            "meaning": d.get("meaning") or "",
            "better": d.get("better") or "none",
            "unit": d["unit"],
            "parameters": parameters_text(d["parameters"], row),
            "withheld_reason": f"no {SOURCE_EXPORTS.get(d['source'], d['source'])} yet"
            if absent
            else ("not enough responses" if n is not None else "no data"),
            "delta_text": "",
            "delta_class": "",
            "sparkline": "",
            "change": None,
            "before": None,
        }
        tiles.append(tile)
        if not monthly or absent:
            continue
        before = prev.get(col) if prev else None
        if value is not None and before is not None:
            diff = value - before
            tile["delta_text"] = change_text(value, before, d["unit"], currency, "previous month")
            tile["delta_class"] = (
                ""
                if diff == 0 or d.get("better", "none") == "none"
                else ("up" if is_good(d, diff) else "down")
            )
        # the same month a year earlier, and a sparkline of the last 13 months
        year_ago = next((r for r in company if r["month"] == months_before(cur["month"], 12)), None)
        before_year = year_ago.get(col) if year_ago else None
        if value is not None and before_year is not None:
            tile["year_text"] = change_text(
                value, before_year, d["unit"], currency, "a year earlier"
            )
        tile["sparkline"] = sparkline_svg([r.get(col) for r in company[-13:]])
        tile["change"] = (
            None
            if value is None or before is None or not before
            else (value - before) / abs(before)
        )
        tile["before"] = before
    return tiles


def is_good(d: dict, diff: float) -> bool:
    """Whether a change is good news, by the KPI definition's direction (higher or lower)."""
    return diff < 0 if d.get("better") == "lower" else diff > 0


def months_before(month: dt.date, k: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 - k, 12)
    return dt.date(y, m + 1, 1)


def what_changed(tiles: list[dict], month: dt.date | None, currency: str) -> list[str]:
    """Three sentences on the largest moves since the month before: largest relative to how much
    each figure usually moves from one month to the next (its last 12 monthly changes)."""
    moved = [t for t in tiles if t.get("change") not in (None, 0)]
    moved.sort(key=lambda t: abs(t["change"]), reverse=True)
    sentences = []
    for t in moved[:3]:
        diff = t["value"] - t["before"]
        direction = "rose" if diff > 0 else "fell"
        good = is_good(t, diff)
        if t["unit"] in ("currency", "customers", "people") and t["before"]:
            size = f"{abs(diff) / abs(t['before']):.1%}"
        elif t["unit"] == "minutes":
            size = fmt_value(abs(diff), "minutes", currency)
        else:
            size = (
                f"{abs(diff):,.1f} points"
                if "points" in t["unit"] or "%" in t["unit"]
                else f"{abs(diff):,.2f}"
            )
        sentences.append(
            f"{t['label']} {direction} by {size} on the month before, to {t['display']} ("
            + ("" if t.get("better", "none") == "none" else f"{'better' if good else 'worse'}; ")
            + (
                "an unusually large move for it)."
                if abs(t["change"]) >= 1.5
                else "within its usual monthly range)."
            )
        )
    return sentences
