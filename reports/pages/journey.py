"""The Journey page: how each stage of the customer journey (config/journey.yaml) feels, month by
month, where it got worse (the hotspots, with the customers' own words), and how fast public
reviews are answered."""

from __future__ import annotations

import datetime as dt

import duckdb
import plotly.graph_objects as go

from reports.charts import Chart, layout
from reports.context import ReportContext
from reports.formatting import show
from reports.periods import complete_only
from reports.queries import run_query

HEATMAP_MONTHS = 13


def _where(row: dict) -> str:
    if row["scope"] == "business":
        return "All stores"
    return row.get("store_name") or row.get("store_id") or "No store given"


def _change(row: dict) -> str:
    if None in (
        row.get(k) for k in ("bad_experience_pct_change", "change_ci_low", "change_ci_high")
    ):
        return "–"
    return (
        f"{row['bad_experience_pct_change']:+.0f} points "
        f"(95% interval {row['change_ci_low']:+.0f} to {row['change_ci_high']:+.0f})"
    )


def heatmap(business: list[dict]) -> Chart:
    """Stage x month: the share of bad experiences, with n in each cell's hover."""
    months = sorted({r["month"] for r in business})[-HEATMAP_MONTHS:]
    stages = sorted({(r["stage_position"] or 0, r["stage_label"] or r["stage"]) for r in business})
    cell = {(r["stage_label"] or r["stage"], r["month"]): r for r in business}
    z, text = [], []
    for _, label in stages:
        z.append([(cell.get((label, m)) or {}).get("bad_experience_pct") for m in months])
        text.append([f"{(cell.get((label, m)) or {}).get('events') or 0} events" for m in months])
    fig = go.Figure(layout=layout("", x_title=""))
    fig.add_heatmap(
        x=months,  # dates: plotly thins the month labels to what the width holds
        y=[label for _, label in stages],
        z=z,
        text=text,
        colorscale="Reds",
        zmin=0,
        # above the cells, so that on a phone the stages keep the width
        colorbar={
            "title": {"text": "% bad", "side": "right"},
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "len": 0.7,
            "thickness": 8,
        },
        hovertemplate="%{y}, %{x}: %{z:.0f}% bad experiences (%{text})<extra></extra>",
        hoverongaps=False,
        xgap=1,
        ygap=1,
    )
    fig.update_layout(
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        yaxis={"autorange": "reversed", "automargin": True, "title": {"text": ""}},
        xaxis={"title": {"text": ""}, "tickformat": "%b %y", "dtick": "M1"},
        height=max(340, 120 + 44 * len(stages)),
    )
    return Chart(
        "chart-journey-heatmap",
        "Where the journey hurts, month by month",
        "Share of each stage's feedback that was a bad experience: a negative score (NPS 0-6, "
        "1-2 stars, satisfaction 1-2) or high effort (effort score 1-3; a ticket reopened, with "
        "3 or more replies, or open more than 3 days). Darker is worse; touch a cell for n.",
        fig,
    )


def score_of_month(scorecard: list[dict], month: dt.date | None) -> dict:
    """The empathy score of one month with its n (all the components' observations)."""
    rows = [r for r in scorecard if r["month"] == month]
    if not rows:
        return {}
    return {"empathy_score": rows[0]["empathy_score"], "n": sum(r["n"] or 0 for r in rows)}


def scorecard_chart(scorecard: list[dict]) -> Chart:
    """The score month by month as stacked points of its components: which part moved it."""
    months = sorted({r["month"] for r in scorecard})[-HEATMAP_MONTHS:]
    fig = go.Figure(layout=layout("Points (the score is their sum)"))
    labels = {r["component"]: r["label"] for r in scorecard}
    for component, label in labels.items():
        cell = {r["month"]: r for r in scorecard if r["component"] == component}
        fig.add_bar(
            x=months,
            y=[(cell.get(m) or {}).get("points") for m in months],
            name=label,
            customdata=[
                [(cell.get(m) or {}).get("value"), (cell.get(m) or {}).get("n")] for m in months
            ],
            hovertemplate=f"{label}: %{{y:.1f}} points (value %{{customdata[0]:.0f}} of 100, "
            "n %{customdata[1]})<extra></extra>",
        )
    fig.update_layout(barmode="stack", hovermode="closest")
    return Chart(
        "chart-empathy-score",
        "Empathy score and what moves it",
        "Each bar is the month's score (0-100): the weighted mean of its components, each on "
        "0-100. A component without data that month is left out and the others weigh more. "
        "The weights are in dbt/seeds/empathy_scorecard.csv: edit them to what matters to you.",
        fig,
    )


def journey_page(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> dict:
    rows = complete_only(run_query(con, "journey_monthly"), until)
    business = [r for r in rows if r["scope"] == "business"]
    if not business:
        return {
            "missing": "No feedback on the journey yet: the journey (config/journey.yaml) takes "
            "online reviews, survey responses and support tickets; drop those exports into "
            "landing/ and the next refresh shows this.",
            "missing_sources": "online_reviews,nps_responses,support_tickets",
            "tiles": [],
            "charts": [],
            "tables": [],
        }
    last = max(r["month"] for r in business)
    hotspots = [
        h for h in complete_only(run_query(con, "journey_hotspots"), until) if h["month"] == last
    ]
    clear = [h for h in hotspots if h["is_clear_rise"]]
    reviews = {r["month"]: r for r in complete_only(run_query(con, "reviews_monthly"), until)}
    rev = reviews.get(last) or {}
    top = clear[0] if clear else None
    scorecard = complete_only(run_query(con, "empathy_scorecard"), until)
    score = score_of_month(scorecard, last)
    parts = [r for r in scorecard if r["month"] == last]
    moved = max(parts, key=lambda r: abs(r["points_change"] or 0), default=None)
    tiles = [
        {
            "kpi": "empathy_score",
            "label": "Empathy score",
            "display": show(score.get("empathy_score"), ".0f", " / 100"),
            "withheld": "no data",
            "extra": f"Moved most by: {moved['label']} ({moved['points_change']:+.1f} points)"
            if moved and moved["points_change"]
            else None,
            "definition": "How understood customers and staff feel: the weighted mean of the "
            "components below, each 0-100.",
            "n": score.get("n"),
        },
        {
            "kpi": "journey_hotspots",
            "label": f"Stages clearly worse in {last:%B}",
            "display": str(len(clear)),
            "extra": f"Worst: {top['stage_label']}, {_where(top)}" if top else "none clearly worse",
            "definition": "Stages (all stores, and each store) whose share of bad experiences "
            "rose on the three months before by more than chance explains (95% interval above "
            "zero), each with at least 5 events.",
            "n": None,
        },
        {
            "kpi": "reviews_answered",
            "label": "Reviews answered within 48 h",
            "display": show(rev.get("answered_in_time_pct"), ".0f", "%"),
            "withheld": "no reviews this month",
            "extra": None,
            "definition": f"Online reviews written in {last:%B} that you answered in public "
            "within 48 hours of their writing.",
            "n": rev.get("reviews"),
        },
        {
            "kpi": "review_stars",
            "label": "Average review",
            "display": show(rev.get("avg_stars"), ".1f", " stars"),
            "withheld": "no reviews this month",
            "extra": None,
            "definition": "Mean rating of the month's reviews on 1-5 stars (other scales mapped "
            "onto 1-5).",
            "n": rev.get("reviews"),
        },
    ]
    latest = sorted(
        (r for r in business if r["month"] == last), key=lambda r: r["stage_position"] or 0
    )
    tables = [
        {
            "title": f"Where it got worse in {last:%B %Y}",
            "note": "Stages whose share of bad experiences rose on the three months before, "
            "surest first (ranked by the low end of the 95% interval: a rise that could be "
            "chance ranks below a sure one), with what customers said.",
            "anchor": "hotspots",
            "columns": [
                ("Stage", "stage_label"),
                ("Where", "where"),
                ("Bad experiences", "now"),
                ("Change", "change"),
                ("Themes", "top_themes"),
                ("In their words", "verbatim_1"),
                ("And", "verbatim_2"),
            ],
            "rows": [
                {
                    **h,
                    "where": _where(h),
                    "now": f"{show(h['bad_experience_pct'], '.0f', '%') or '–'} of "
                    f"{show(h['events']) or '–'} (before "
                    f"{show(h['previous_bad_experience_pct'], '.0f', '%') or '–'} of "
                    f"{show(h['previous_events']) or '–'})",
                    "change": _change(h) + ("" if h["is_clear_rise"] else ", could be chance"),
                }
                for h in hotspots[:8]
            ],
        },
        {
            "title": f"Each stage in {last:%B %Y}",
            "note": "All stores together. Empty cells: that kind of feedback does not reach "
            "the stage (config/journey.yaml says which does).",
            "columns": [
                ("Stage", "stage_label"),
                ("Events", "events"),
                ("Bad experiences", "bad"),
                ("High effort", "effort"),
                ("NPS", "nps"),
                ("Stars", "stars"),
                ("CSAT", "csat"),
                ("Tone", "tone"),
                ("Themes of the bad ones", "top_themes"),
            ],
            "rows": [
                {
                    **r,
                    "bad": show(r["bad_experience_pct"], ".0f", "%"),
                    "effort": show(r["high_effort_pct"], ".0f", "%")
                    if r["effort_known_events"]
                    else None,
                    "nps": show(r["nps"], "+.0f") if r["nps_responses"] else None,
                    "stars": show(r["avg_stars"], ".1f") if r["reviews"] else None,
                    "csat": show(r["csat_pct"], ".0f", "%") if r["csat_ratings"] else None,
                    "tone": show(r["avg_sentiment"], "+.2f") if r["texts"] else None,
                }
                for r in latest
            ],
        },
    ]
    if not hotspots:
        tables[0]["note"] = f"No stage had more bad experiences in {last:%B} than before."
    tables.append(
        {
            "title": f"The empathy score in {last:%B %Y}, part by part",
            "note": "Each part on 0-100 (higher: customers or staff feel better understood), "
            "its weight, the points it adds to the score and the change on the month before. "
            "The weights are in dbt/seeds/empathy_scorecard.csv.",
            "columns": [
                ("Part", "label"),
                ("Value", "value"),
                ("n", "n"),
                ("Weight", "weight"),
                ("Points", "points"),
                ("Change in points", "change"),
            ],
            "rows": [
                {
                    **r,
                    "weight": show(r["weight_share"], ".0%"),
                    "change": show(r["points_change"], "+.1f"),
                }
                for r in parts
            ],
        }
    )
    charts = [heatmap(business)] + ([scorecard_chart(scorecard)] if scorecard else [])
    return {"tiles": tiles, "charts": charts, "tables": tables}


def build(ctx: ReportContext) -> dict:
    return journey_page(ctx.con, ctx.period.partial_month)
