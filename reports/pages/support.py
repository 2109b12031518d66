"""The Support page: reply and resolution times, CSAT, channels, agents, and churn after bad support."""

from __future__ import annotations

import datetime as dt

import duckdb
import plotly.graph_objects as go

from reports.charts import Chart, layout, value_with_n_chart
from reports.context import ReportContext
from reports.formatting import in_opening_hours, minutes_text, show
from reports.periods import complete_only
from reports.queries import run_query


def support_page(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> dict:
    rows = run_query(con, "support_breakdown")
    overall = next(r for r in rows if r["breakdown"] == "overall")
    tiles = [
        {
            "kpi": "first_reply",
            "label": "Median first reply",
            "display": minutes_text(overall["median_first_reply_minutes"]),
            "extra": in_opening_hours(overall["median_first_reply_business_minutes"]),
            "definition": "Ticket created to first agent reply (Zendesk definition).",
            "n": overall["replied_tickets"],
        },
        {
            "kpi": "resolution",
            "label": "Median full resolution",
            "display": minutes_text(overall["median_full_resolution_minutes"]),
            "extra": in_opening_hours(overall["median_full_resolution_business_minutes"]),
            "definition": "Ticket created to last solved.",
            "n": overall["solved_tickets"],
        },
        {
            "kpi": "one_touch",
            "label": "One-touch resolution",
            "display": show(overall["one_touch_pct"], ".0f", "%"),
            "withheld": "no solved tickets",
            "extra": None,
            "definition": "Solved after one agent reply and never reopened.",
            "n": overall["solved_tickets"],
        },
        {
            "kpi": "csat",
            "label": "CSAT",
            "display": show(overall["csat_pct"], ".0f", "%"),
            "withheld": "no ratings",
            "extra": None,
            "definition": "Share of 1-5 ratings that are 4 or 5, over every rating so far (the "
            "Overview's CSAT is the last complete month's).",
            "n": overall["csat_ratings"],
        },
        {
            "kpi": "reopened",
            "label": "Reopened",
            "display": show(overall["reopened_pct"], ".0f", "%"),
            "withheld": "no solved tickets",
            "extra": None,
            "definition": "Share of solved tickets reopened at least once.",
            "n": overall["solved_tickets"],
        },
    ]
    monthly = complete_only(run_query(con, "support_monthly"), until)
    months = [r["month"] for r in monthly]
    fig = go.Figure(layout=layout("Median first reply (hours)"))
    for col, name in (
        ("median_first_reply_minutes", "Calendar hours"),
        ("median_first_reply_business_minutes", "Opening hours only"),
    ):
        fig.add_scatter(
            x=months,
            y=[None if r[col] is None else r[col] / 60 for r in monthly],
            name=name,
            mode="lines+markers",
        )
    charts = [
        Chart(
            "chart-first-reply",
            "How fast we answer",
            "Median time from ticket to first reply, in calendar hours and counting only "
            "opening hours (seed opening_hours).",
            fig,
        )
    ]
    charts.append(
        value_with_n_chart(
            monthly,
            "csat_pct",
            "csat_ratings",
            "CSAT (% of ratings 4-5)",
            "CSAT",
            "Ratings (n)",
            Chart(
                "chart-support-csat",
                "Satisfaction with support",
                "Share of ratings that are 4 or 5; bars show the ratings.",
                None,
            ),
        )
    )
    channels = [r for r in rows if r["breakdown"] == "channel"]
    fig = go.Figure(layout=layout("Hours", x_title="Channel"))
    fig.add_bar(
        x=[r["channel"] for r in channels],
        y=[(r["median_first_reply_business_minutes"] or 0) / 60 for r in channels],
        name="Median first reply, opening hours",
        text=[f"n = {r['tickets']}" for r in channels],
    )
    charts.append(
        Chart(
            "chart-channels",
            "First reply by channel",
            "Median time to first reply in opening hours.",
            fig,
        )
    )
    churn = run_query(con, "support_churn")
    fig = go.Figure(layout=layout("Churned (% of customers)", x_title="Customers"))
    fig.add_bar(
        x=[r["customer_group"] for r in churn],
        y=[r["churn_rate_pct"] for r in churn],
        text=[f"n = {r['customers']}" for r in churn],
        name="Churn rate",
    )
    charts.append(
        Chart(
            "chart-support-churn",
            "Do customers leave after bad support?",
            "Share of customers now silent past the churn threshold, by their support "
            "experience (bad = a rating of 1-2 or a negative rating comment). Frequent "
            "buyers contact support more, so compare the first two bars: bad support, then "
            "support that went fine.",
            fig,
        )
    )
    agents = [r for r in rows if r["breakdown"] == "agent"]
    tables = [
        {
            "title": "By agent",
            "note": "Agents by the names in config/business.yaml (agents: employee id: name); "
            "an agent without one shows as a short salted key.",
            "personal": False,
            "columns": [
                ("Agent", "agent_name"),
                ("Tickets", "tickets"),
                ("First reply (opening hours)", "first_reply"),
                ("One-touch %", "one_touch_pct"),
                ("CSAT %", "csat_pct"),
                ("Ratings", "csat_ratings"),
                ("Negative tickets %", "negative_ticket_pct"),
            ],
            "rows": [
                r | {"first_reply": minutes_text(r["median_first_reply_business_minutes"])}
                for r in agents
            ],
        }
    ]
    return {
        "tiles": tiles,
        "charts": charts,
        "tables": tables,
    }


def build(ctx: ReportContext) -> dict:
    return support_page(ctx.con, ctx.period.partial_month)
