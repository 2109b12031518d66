"""The Team page: headcount, turnover, absence, engagement, and whether engagement goes with happier customers."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import plotly.graph_objects as go

from reports.charts import PALETTE, Chart, by_series, layout
from reports.context import ReportContext
from reports.formatting import show
from reports.periods import complete_only
from reports.queries import run_query


def team_page(
    con: duckdb.DuckDBPyConnection, company: list[dict], until: dt.date | None = None
) -> dict:
    cur = company[-1] if company else {}
    team = complete_only(run_query(con, "team_monthly"), until)
    tiles = [
        {
            "kpi": "headcount",
            "label": "Headcount",
            "display": show(cur.get("headcount_end")),
            "extra": None,
            "definition": "Employed on the last day of the month, all stores.",
            "n": None,
        },
        {
            "kpi": "turnover_12m",
            "label": "Staff turnover, last 12 months",
            "display": show(cur.get("turnover_rate_12m_pct"), ".0f", "%"),
            "withheld": "no data",
            "extra": None,
            "definition": "Leavers in 12 months / mean average headcount ((start + end) / 2).",
            "n": cur.get("headcount_end"),
        },
        {
            "kpi": "absence_rate",
            "label": "Absence rate",
            "display": show(cur.get("absence_rate_pct"), ".1f", "%"),
            "withheld": "no data",
            "extra": None,
            "definition": "Unplanned absence hours / (scheduled hours - holiday hours); "
            "scheduled = weekly hours / 5 per weekday, an absence of several days counted on each "
            "scheduled weekday it covers.",
            "n": cur.get("headcount_end"),
        },
        {
            "kpi": "engagement_index",
            "label": "Engagement index",
            "display": show(cur.get("engagement_index"), ".2f"),
            "withheld": "group too small",
            "extra": None,
            "definition": "Mean of five 1-5 pulse items, all stores.",
            "n": cur.get("survey_responses"),
        },
        {
            "kpi": "enps",
            "label": "Employee NPS",
            "display": None if cur.get("enps") is None else f"{cur['enps']:+.0f}",
            "withheld": "group too small",
            "extra": None,
            "definition": "% 9-10 minus % 0-6 on 'would you recommend working here'.",
            "n": cur.get("survey_responses"),
        },
    ]
    charts = []
    for cid, col, title, y, note in (
        (
            "chart-headcount",
            "headcount_end",
            "Headcount by store",
            "People",
            "Employed on the last day of each month.",
        ),
        (
            "chart-turnover",
            "turnover_rate_12m_pct",
            "Staff turnover by store, trailing 12 months",
            "Turnover (% of average headcount)",
            "Leavers in the last 12 months / mean average headcount; the first months have a shorter window.",
        ),
        (
            "chart-absence",
            "absence_rate_pct",
            "Absence rate by store",
            "Absence (% of scheduled hours)",
            "Unplanned absence hours / (scheduled hours - holiday hours).",
        ),
        (
            "chart-team-engagement",
            "engagement_index",
            "Engagement by store",
            "Engagement index (1-5)",
            "Mean of five 1-5 pulse items. Gaps: fewer than 5 people answered (group too small), "
            "so no figure is shown, to keep answers anonymous.",
        ),
    ):
        fig = go.Figure(layout=layout(y))
        for store, (xs, ys) in by_series(team, "store_name", "month", col).items():
            fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers", connectgaps=False)
        charts.append(Chart(cid, title, note, fig))

    tenure = run_query(con, "team_tenure")
    fig = go.Figure(layout=layout("Employees", x_title="Tenure"))
    for status, (xs, ys) in by_series(tenure, "status", "tenure_band", "employees").items():
        fig.add_bar(x=[x.split(": ", 1)[1] for x in xs], y=ys, name=status)
    charts.append(
        Chart(
            "chart-tenure",
            "How long people stay",
            "Tenure of current employees and of those who left.",
            fig,
        )
    )

    corr = run_query(con, "engagement_outcomes")
    within = [
        r
        for r in corr
        if r["scope"] == "within_store"
        and r["method"] == "pearson"
        and r["driver"] == "engagement_index"
    ]
    fig = go.Figure(layout=layout("Correlation (r)", x_title="Months after the survey"))
    for outcome, label in (
        ("net_revenue", "Net revenue"),
        ("nps", "Customer NPS"),
        ("csat_pct", "CSAT"),
    ):
        rows = [r for r in within if r["outcome"] == outcome]
        fig.add_scatter(
            x=[r["lag_months"] for r in rows],
            y=[r["r"] for r in rows],
            name=label,
            mode="lines+markers",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [None if r["r"] is None else r["ci_high"] - r["r"] for r in rows],
                "arrayminus": [None if r["r"] is None else r["r"] - r["ci_low"] for r in rows],
            },
        )
    fig.update_layout(xaxis={"dtick": 1, "title": {"text": "Months after the survey"}})
    charts.append(
        Chart(
            "chart-correlations",
            "Does engagement move customers and sales?",
            "Correlation of a store's engagement in one month with its outcomes 0-3 "
            "months later, within stores (each store's average removed), with 95% "
            "intervals.",
            fig,
        )
    )

    panel = run_query(con, "team_panel")
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1,
        cols=4,
        shared_yaxes=True,
        subplot_titles=[f"{k} month{'s' if k != 1 else ''} later" for k in range(4)],
    )
    by_store: dict[str, list[dict]] = {}
    for r in panel:
        by_store.setdefault(r["store_id"], []).append(r)
    for lag in range(4):
        xs, ys = [], []
        for rows in by_store.values():
            e = [r["engagement_index"] for r in rows]
            rev = [None if r["net_revenue"] is None else float(r["net_revenue"]) for r in rows]
            pairs = [
                (e[i], rev[i + lag])
                for i in range(len(rows) - lag)
                if e[i] is not None and rev[i + lag] is not None
            ]
            if len(pairs) < 3:
                continue
            ex = np.array([p[0] for p in pairs])
            ry = np.array([p[1] for p in pairs])
            xs += [float(v) for v in ex - ex.mean()]
            ys += [float(v) for v in 100 * (ry / ry.mean() - 1)]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=f"lag {lag}",
            showlegend=False,
            marker={"size": 5, "color": PALETTE[0]},
            row=1,
            col=lag + 1,
        )
        if len(xs) > 2:
            slope, intercept = np.polyfit(xs, ys, 1)
            grid = [min(xs), max(xs)]
            fig.add_scatter(
                x=grid,
                y=[float(slope * g + intercept) for g in grid],
                mode="lines",
                showlegend=False,
                line={"color": PALETTE[1]},
                row=1,
                col=lag + 1,
            )
    fig.update_layout(
        template="plotly_white", margin={"l": 60, "r": 20, "t": 40, "b": 50}, hovermode="closest"
    )
    fig.update_yaxes(title_text="Net revenue vs store average (%)", row=1, col=1)
    fig.update_xaxes(title_text="Engagement vs store average")
    charts.append(
        Chart(
            "chart-engagement-scatter",
            "Engagement and sales, month by month",
            "Each dot is a store-month: its engagement (difference from the store's "
            "average) against its net revenue 0-3 months later (% above or below the "
            "store's average), with a fitted line.",
            fig,
        )
    )
    tables: list[dict] = []
    return {
        "tiles": tiles,
        "findings_title": "Does engagement go with happier customers and sales?",
        "findings": engagement_findings(corr),
        "findings_note": "Correlation is not causation: a busy season can lift both engagement "
        "and sales, and a few stores over two years make small samples. Every correlation "
        "(Pearson and Spearman, 0-3 months later, p-values) is in "
        "marts.kpi_engagement_outcomes for the analyst.",
        "charts": charts,
        "tables": tables,
    }


OUTCOME_WORDS = {  # in the order the findings are read, with the verb each takes
    "net_revenue": ("sales", "tend"),
    "nps": ("customer NPS", "tends"),
    "csat_pct": ("support ratings", "tend"),
}


def engagement_findings(corr: list[dict]) -> list[str]:
    """The within-store engagement correlations in plain sentences: direction, strength, and
    whether the 95% interval rules out no link at all."""
    out = []
    order = list(OUTCOME_WORDS)
    for r in sorted(
        corr,
        key=lambda r: (order.index(r["outcome"]) if r["outcome"] in order else 9, r["lag_months"]),
    ):
        if not (
            r["scope"] == "within_store"
            and r["method"] == "pearson"
            and r["driver"] == "engagement_index"
            and r["outcome"] in OUTCOME_WORDS
            and r["lag_months"] in (0, 1)
            and r["r"] is not None
        ):
            continue
        size = abs(r["r"])
        strength = (
            "no real"
            if size < 0.1
            else "a weak"
            if size < 0.3
            else "a moderate"
            if size < 0.5
            else "a strong"
        )
        when = "the same month" if r["lag_months"] == 0 else "the month after"
        clear = r["ci_low"] is not None and (r["ci_low"] > 0 or r["ci_high"] < 0)
        direction = "higher" if r["r"] > 0 else "lower"
        if strength == "no real":
            text = f"Engagement and {OUTCOME_WORDS[r['outcome']][0]} {when}: no real link"
        else:
            words, verb = OUTCOME_WORDS[r["outcome"]]
            text = (
                f"When a store's team is more engaged than usual, its {words} {verb} to be "
                f"{direction} {when}: {strength} link"
            )
        out.append(
            text
            + (
                ", clear beyond chance"
                if clear and strength != "no real"
                else ", which could be chance"
                if strength != "no real"
                else ""
            )
            + f" (r = {r['r']:+.2f}, {r['n']} store-months)."
        )
    return out


def build(ctx: ReportContext) -> dict:
    return team_page(ctx.con, ctx.period.complete, ctx.period.partial_month)
