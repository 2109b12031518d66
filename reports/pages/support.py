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
    sla_tiles, sla_charts, sla_tables = sla_section(con, until)
    return {
        "tiles": tiles + sla_tiles,
        "charts": charts + sla_charts,
        "tables": sla_tables + tables,
    }


METRIC_WORDS = {
    "first_reply": "First reply",
    "next_reply": "Next reply",
    "full_resolution": "Full resolution",
    "requester_wait": "Customer waiting",
    "agent_work": "Time with the team",
}
TILE_METRICS = ("first_reply", "full_resolution")  # the other targets are in the chart


def target_text(row: dict) -> str:
    clock = "business hours" if row["in_business_hours"] else "calendar hours"
    if row["target_minutes"] is None:
        return f"its target in {clock}"
    return f"{row['target_minutes'] / 60:g} {clock}"


def desk_tables(con: duckdb.DuckDBPyConnection, until: dt.date | None) -> list[dict]:
    """The help desk's own measures (dbt_zendesk's definitions), the last six complete months;
    the status measures need the ticket events export, and the table says so without it."""
    months = complete_only(run_query(con, "support_desk_monthly"), until)[-6:]
    if not months:
        return []
    with_history = any(r["tickets_with_history"] for r in months)
    note = (
        "Medians in opening hours (less holidays). Customer waits: time new, open or on hold; "
        "with the team: new or open; awaiting customer: pending; touches: public agent "
        "replies before the solve; handed off: passed from one agent to another."
        if with_history
        else "Without the ticket events export (landing/support_ticket_events/, the help desk's "
        "status history) only the touches come from the tickets file; the waiting, working and "
        "hand-off measures need the history."
    )
    return [
        {
            "title": "How the help desk works, month by month",
            "note": note,
            "personal": False,
            "columns": [
                ("Month", "month_label"),
                ("Tickets", "tickets"),
                ("Customer waits", "requester_wait"),
                ("With the team", "agent_work"),
                ("Awaiting customer", "agent_wait"),
                ("Next reply", "next_reply"),
                ("Touches 1 / 2 / 3+ %", "touches"),
                ("Handed off %", "handed_off_pct"),
            ],
            "rows": [
                r
                | {
                    "month_label": f"{r['month']:%b %Y}",
                    "requester_wait": minutes_text(r["median_requester_wait_business_minutes"]),
                    "agent_work": minutes_text(r["median_agent_work_business_minutes"]),
                    "agent_wait": minutes_text(r["median_agent_wait_business_minutes"]),
                    "next_reply": minutes_text(r["median_next_reply_business_minutes"]),
                    "touches": " / ".join(
                        show(r[k], ".0f") or "–"
                        for k in ("one_touch_pct", "two_touch_pct", "multi_touch_pct")
                    ),
                }
                for r in reversed(months)
            ],
        }
    ]


def sla_section(
    con: duckdb.DuckDBPyConnection, until: dt.date | None
) -> tuple[list[dict], list[Chart], list[dict]]:
    """The service-level targets (seed sla_policies): the last complete month's share met per
    target, tickets waiting past their target now, the months, the daily backlog, and the
    stores' misses."""
    monthly = complete_only(run_query(con, "support_sla_monthly"), until)
    business = [r for r in monthly if r["store_id"] == "all"]
    last = max((r["month"] for r in business), default=None)
    open_now = {r["metric"]: r for r in run_query(con, "support_sla_open")}
    tiles = []
    for metric in TILE_METRICS:
        words = METRIC_WORDS[metric]
        row = next((r for r in business if r["month"] == last and r["metric"] == metric), None)
        if row is None:
            continue
        tiles.append(
            {
                "kpi": f"sla_{metric}",
                "label": f"{words} on target",
                "display": show(row["met_pct"], ".0f", "%"),
                "withheld": "no tickets due",
                "extra": None
                if row["breached"] is None
                else f"{row['breached']} missed in {last:%B %Y}",
                "definition": f"Share of {last:%B}'s tickets whose {words.lower()} came within "
                f"{target_text(row)} (seed sla_policies; holidays in seed holidays do not count).",
                "n": row["tickets"],
            }
        )
    counts = [r["open_breached"] for r in open_now.values() if r["open_breached"] is not None]
    waiting = sum(counts) if counts else None
    stamps = [r["as_of"] for r in open_now.values() if r["as_of"] is not None]
    if stamps:
        as_of = max(stamps)
        tiles.append(
            {
                "kpi": "sla_open_breached",
                "label": "Waiting past target now",
                "display": show(waiting, ","),
                "extra": None,
                "definition": "Tickets still waiting for a first reply or a solve whose target "
                f"has passed, as of the newest ticket export ({as_of:%d %b %Y %H:%M}).",
                "n": None,
            }
        )
    charts = []
    if business:
        fig = go.Figure(layout=layout("Tickets on target (%)"))
        for metric, words in METRIC_WORDS.items():
            part = [r for r in business if r["metric"] == metric]
            if part:
                fig.add_scatter(
                    x=[r["month"] for r in part],
                    y=[r["met_pct"] for r in part],
                    text=[
                        f"{show(r['breached']) or '–'} of {show(r['tickets']) or '–'} missed"
                        for r in part
                    ],
                    name=f"{words} within {target_text(part[-1])}",
                    mode="lines+markers",
                )
        charts.append(
            Chart(
                "chart-sla",
                "Do we keep our service targets?",
                "Share of each month's tickets that met the target (seed sla_policies), "
                "counting opening hours only and skipping the holidays in seed holidays; a "
                "ticket still waiting past its target counts as missed.",
                fig,
            )
        )
    backlog = run_query(con, "support_backlog")
    if backlog:
        fig = go.Figure(layout=layout("Open tickets"))
        fig.add_scatter(
            x=[r["day"] for r in backlog],
            y=[r["open_at_end_of_day"] for r in backlog],
            name="Open at the end of the day",
            mode="lines",
        )
        charts.append(
            Chart(
                "chart-backlog",
                "Backlog",
                "Tickets open at the end of each day. From the ticket exports a ticket is open "
                "from its creation to its last solve.",
                fig,
            )
        )
    stores = [r for r in monthly if r["store_id"] != "all" and r["month"] == last]
    tables = desk_tables(con, until)
    if stores:
        tables.append(
            {
                "title": f"Missed targets by store, {last:%B %Y}",
                "note": "Tickets opened that month about each store: how many missed each target "
                "and the share met.",
                "personal": False,
                "columns": [
                    ("Store", "store_name"),
                    ("Target", "target"),
                    ("Tickets", "tickets"),
                    ("Missed", "breached"),
                    ("Waiting past it", "open_breached"),
                    ("Met %", "met_pct"),
                ],
                "rows": [
                    r
                    | {
                        "target": f"{METRIC_WORDS.get(r['metric'], r['metric'])} within "
                        f"{target_text(r)}"
                    }
                    for r in sorted(stores, key=lambda r: (-(r["breached"] or 0), r["store_id"]))
                ],
            }
        )
    return tiles, charts, tables


def build(ctx: ReportContext) -> dict:
    return support_page(ctx.con, ctx.period.partial_month)
