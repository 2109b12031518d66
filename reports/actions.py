"""The Overview's "This week" list: the few things to act on, most urgent first, each linking to
the list or chart that says who and where. Only what the data supports is listed: a theme or a
team needs enough texts or answers in both months to be compared."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports.tiles import months_before

MIN_TEXTS = 20  # a theme's share is compared only over months with this many texts
MIN_SHARE_RISE = 5.0  # points of the month's texts
MIN_ENGAGEMENT_DROP = 0.3  # on the 1-5 index


def this_week(
    follow: dict[str, Any] | None,
    summary: dict[str, Any],
    themes: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    month: dt.date | None,
    currency: str,
) -> list[dict[str, str]]:
    """Each action: what to do (text) and where the names are (href)."""
    actions = []
    if follow and follow.get("waiting"):
        days = follow.get("avg_days_waiting")
        actions.append(
            {
                "text": f"Call back {follow['waiting']:,} customer"
                f"{'s' if follow['waiting'] != 1 else ''} who complained and heard nothing "
                "better since"
                + (f" (waiting {days:.0f} days on average)." if days is not None else "."),
                "href": "voice.html#follow-up",
            }
        )
    if summary.get("high_value_at_risk"):
        n = summary["high_value_at_risk"]
        actions.append(
            {
                "text": f"Win back {n:,} valuable customer{'s' if n != 1 else ''} who are "
                "slipping away (among your most valuable, and quiet for longer than usual).",
                "href": "customers.html#at-risk",
            }
        )
    if month is not None:
        rise = _theme_rise(themes, month)
        if rise:
            actions.append(
                {
                    "text": f"Look at \u201c{rise['label']}\u201d: customers mentioned it in "
                    f"{rise['now']:.0f}% of their texts in {month:%B}, up from "
                    f"{rise['before']:.0f}% the month before.",
                    "href": "voice.html#chart-theme-trend",
                }
            )
        drop = _engagement_drop(teams, month)
        if drop:
            actions.append(
                {
                    "text": f"Talk with the team at {drop['store']}: their engagement fell from "
                    f"{drop['before']:.2f} to {drop['now']:.2f} (of 5) in {month:%B}.",
                    "href": "team.html",
                }
            )
    return actions


def _theme_rise(themes: list[dict[str, Any]], month: dt.date) -> dict | None:
    prev = months_before(month, 1)
    by = {(r["theme"], r["month"]): r for r in themes}
    best = None
    for (theme, m), r in by.items():
        if m != month or (r.get("texts") or 0) < MIN_TEXTS:
            continue
        before = by.get((theme, prev))
        if not before or (before.get("texts") or 0) < MIN_TEXTS:
            continue
        now_share, before_share = r["share_of_texts_pct"] or 0, before["share_of_texts_pct"] or 0
        rise = now_share - before_share
        if rise >= MIN_SHARE_RISE and (best is None or rise > best["rise"]):
            best = {"label": r["label"], "now": now_share, "before": before_share, "rise": rise}
    return best


def _engagement_drop(teams: list[dict[str, Any]], month: dt.date) -> dict | None:
    prev = months_before(month, 1)
    by = {(r["store_name"], r["month"]): r["engagement_index"] for r in teams}
    best = None
    for (store, m), now in by.items():
        before = by.get((store, prev))
        if m != month or now is None or before is None:
            continue  # withheld below the minimum group size
        drop = float(before) - float(now)
        if drop >= MIN_ENGAGEMENT_DROP and (best is None or drop > best["drop"]):
            best = {"store": store, "now": float(now), "before": float(before), "drop": drop}
    return best
