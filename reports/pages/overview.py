"""The Overview page: headline tiles of the last complete month, the month so far, what changed, this week's actions and the trend charts."""

from __future__ import annotations

import datetime as dt

import duckdb
import plotly.graph_objects as go

from reports.actions import this_week
from reports.charts import Chart, by_series, layout, value_with_n_chart
from reports.context import ReportContext
from reports.formatting import fmt_value, show
from reports.pages.journey import score_of_month
from reports.periods import Period, complete_only
from reports.queries import run_query
from reports.tiles import kpi_tiles, what_changed


def overview_charts(
    con: duckdb.DuckDBPyConnection,
    company: list[dict],
    currency: str,
    loaded: set[str] | None = None,
    until: dt.date | None = None,
) -> list[Chart]:
    """The Overview's charts, each only when the export it needs has arrived; ``until``: the
    first day of a month under way, left out."""
    charts = _overview_charts(con, company, currency, until)
    needs = {
        "chart-revenue": "pos_transactions",
        "chart-nps": "nps_responses",
        "chart-engagement": "hr_engagement_responses",
        "chart-csat": "support_tickets",
    }
    return [c for c in charts if loaded is None or needs.get(c.id, "") in loaded | {""}]


def _overview_charts(
    con: duckdb.DuckDBPyConnection, company: list[dict], currency: str, until: dt.date | None
) -> list[Chart]:
    charts = []
    sales = complete_only(run_query(con, "store_sales_monthly"), until)
    fig = go.Figure(layout=layout(f"Net revenue ({currency}, before tax)"))
    for store, (xs, ys) in by_series(sales, "store_name", "month", "net_revenue").items():
        fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers")
    charts.append(
        Chart(
            "chart-revenue",
            "Net revenue by store and month",
            "Payments less refunds, after discounts and before tax.",
            fig,
        )
    )

    charts.append(
        value_with_n_chart(
            company,
            "nps",
            "nps_responses",
            "NPS (points, -100 to 100)",
            "NPS",
            "Responses (n)",
            Chart(
                "chart-nps",
                "Net Promoter Score by month",
                "% promoters (9-10) minus % detractors (0-6); bars show the responses.",
                None,
            ),
        )
    )

    team = complete_only(run_query(con, "store_team_monthly"), until)
    fig = go.Figure(layout=layout("Engagement index (1-5)"))
    for store, (xs, ys) in by_series(team, "store_name", "month", "engagement_index").items():
        fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers", connectgaps=False)
    charts.append(
        Chart(
            "chart-engagement",
            "Staff engagement by store",
            "Mean of five 1-5 pulse items. Gaps: fewer than the minimum group size "
            "answered, so no figure is shown.",
            fig,
        )
    )

    charts.append(
        value_with_n_chart(
            company,
            "csat_pct",
            "csat_ratings",
            "CSAT (% of ratings 4-5)",
            "CSAT",
            "Ratings (n)",
            Chart(
                "chart-csat",
                "Support satisfaction by month",
                "Share of 1-5 ratings that are 4 or 5; bars show the ratings.",
                None,
            ),
        )
    )
    return charts


def month_so_far(
    con: duckdb.DuckDBPyConnection, per: Period, currency: str, loaded: set[str]
) -> dict | None:
    """The days of a month under way against the same days of the month before and of a year
    earlier: never a partial month against a whole one."""
    if per.partial_month is None:
        return None
    rows = run_query(con, "month_to_date", {"start": per.partial_month, "days": per.partial_days})
    metrics = [
        ("Net revenue", "net_revenue", "pos_transactions", "currency"),
        ("Payments", "payments", "pos_transactions", "count"),
        ("NPS responses", "nps_responses", "nps_responses", "count"),
        ("Support tickets", "tickets", "support_tickets", "count"),
    ]
    shown = [m for m in metrics if m[2] in loaded]
    periods = [
        f"{r['first_day']:%d}-{r['last_day']:%d %b %Y}"
        if r["first_day"] != r["last_day"]
        else f"{r['first_day']:%d %b %Y}"
        for r in rows
    ]
    return {
        "title": f"{per.partial_month:%B %Y} so far",
        "note": f"{per.partial_days} day{'s' if per.partial_days != 1 else ''} of data. "
        "Compared with the same days of the month before and of a year earlier, not with "
        "whole months; the figures above are those of the last complete month.",
        "periods": ["So far", "Same days, month before", "Same days, a year earlier"],
        "dates": periods,
        "rows": [
            {
                "label": label,
                "values": [
                    fmt_value(r[col], "currency", currency) if unit == "currency" else show(r[col])
                    for r in rows
                ],
            }
            for label, col, _, unit in shown
        ],
    }


# What the owner drops into landing/ for each source (the data contracts): named when a page or
# a figure has nothing to show because that export has not arrived.


def build(ctx: ReportContext) -> dict:
    per, con, currency = ctx.period, ctx.con, ctx.currency
    latest = per.complete[-1]["month"] if per.complete else None
    tiles = kpi_tiles(
        per.complete,
        ctx.definitions,
        currency,
        {
            "kpi_customer_value_summary": ctx.summary,
            "kpi_empathy_scorecard": score_of_month(run_query(con, "empathy_scorecard"), latest),
        },
        ctx.loaded,
    )
    return {
        "subtitle": per.label if ctx.company else "No data yet",
        "tiles": tiles,
        "changes": what_changed(tiles, latest, currency),
        "actions": this_week(
            run_query(con, "follow_up_count")[0],
            ctx.summary,
            run_query(con, "theme_monthly"),
            run_query(con, "store_team_monthly"),
            latest,
            currency,
        ),
        "so_far": month_so_far(con, per, currency, ctx.loaded),
        "charts": overview_charts(con, per.complete, currency, ctx.loaded, per.partial_month),
        "ingest": run_query(con, "ingest_summary"),
    }
