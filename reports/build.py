"""Build the owner's static report site from the marts of a (read-only) warehouse file.

A page is a set of SQL files in ``queries/`` plus a Jinja2 template; charts are Plotly
figures rendered in the browser by the plotly.js that ships inside the ``plotly`` package
(copied into ``assets/``), so the site works offline and from ``file://``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import plotly
import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.colors import sample_colorscale

from dagster_project.faults import pause_point
from reports.actions import this_week
from reports.contact_lists import write_list
from reports.periods import Period, freshness, period

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
# ten distinguishable colours (Tableau 10), so that a chart of up to ten series never repeats one
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


@dataclass
class Chart:
    id: str
    title: str
    note: str
    figure: go.Figure

    @property
    def json(self) -> str:
        # "</" must not appear inside a <script> element
        return self.figure.to_json().replace("</", "<\\/")

    @property
    def points(self) -> int:
        """Data points drawn: non-null y values, or non-null cells of a heatmap."""
        total = 0
        for t in self.figure.data:
            values = t.z if getattr(t, "z", None) is not None else t.y
            if values is not None:
                flat = np.asarray(
                    [
                        np.nan if v is None else v
                        for v in np.ravel(np.asarray(values, dtype=object))
                    ],
                    dtype=float,
                )
                total += int(np.count_nonzero(~np.isnan(flat)))
        return total


@dataclass
class SiteSummary:
    pages: list[str]
    charts: dict[str, int] = field(default_factory=dict)  # chart id -> data points


def run_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of ``queries/<name>.sql`` (with ``$name`` parameters) as dicts."""
    cur = con.execute((QUERIES / f"{name}.sql").read_text(), params or {})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


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


def _fmt(value: Any, unit: str, currency: str) -> str:
    if value is None:
        return "–"
    if unit == "currency":
        return f"{currency}{value:,.0f}" if abs(value) >= 1000 else f"{currency}{value:,.2f}"
    if unit == "minutes":
        return f"{value / 60:.1f} h" if value >= 120 else f"{value:.0f} min"
    if isinstance(value, float):
        return f"{value:,.1f}" if unit.startswith("%") or "points" in unit else f"{value:,.2f}"
    return f"{value:,}"


def _parameters(template: str | None, row: dict) -> str:
    """A definition's parameters with the mart columns it names in braces filled in."""
    if not template:
        return ""

    def fill(m: re.Match) -> str:
        value = row.get(m[1])
        return "?" if value is None else str(value)

    return re.sub(r"\{(\w+)\}", fill, template)


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
            "display": _fmt(value, d["unit"], currency)
            + ("" if value is None else (d.get("suffix") or "")),
            "formula": d["formula"],
            "meaning": d.get("meaning") or "",
            "better": d.get("better") or "none",
            "unit": d["unit"],
            "parameters": _parameters(d["parameters"], row),
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
            tile["delta_text"] = _change_text(value, before, d["unit"], currency, "previous month")
            tile["delta_class"] = (
                ""
                if diff == 0 or d.get("better", "none") == "none"
                else ("up" if _good(d, diff) else "down")
            )
        # the same month a year earlier, and a sparkline of the last 13 months
        year_ago = next(
            (r for r in company if r["month"] == _months_before(cur["month"], 12)), None
        )
        before_year = year_ago.get(col) if year_ago else None
        if value is not None and before_year is not None:
            tile["year_text"] = _change_text(
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


def _good(d: dict, diff: float) -> bool:
    """Whether a change is good news, by the KPI definition's direction (higher or lower)."""
    return diff < 0 if d.get("better") == "lower" else diff > 0


def _months_before(month: dt.date, k: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 - k, 12)
    return dt.date(y, m + 1, 1)


def _change_text(value: float, before: float, unit: str, currency: str, when: str) -> str:
    diff = value - before
    if unit in ("currency", "customers", "people") and before:
        return f"{diff / abs(before):+.1%} vs {when}"
    if unit.startswith("%"):  # a change of a percentage is in points, not per cent
        return f"{diff:+,.1f} points vs {when}"
    if unit == "minutes":
        sign = "+" if diff > 0 else "-" if diff < 0 else "±"
        return f"{sign}{_fmt(abs(diff), 'minutes', currency)} vs {when}"
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


def what_changed(tiles: list[dict], month: dt.date | None, currency: str) -> list[str]:
    """Three sentences on the largest moves since the month before: largest relative to how much
    each figure usually moves from one month to the next (its last 12 monthly changes)."""
    moved = [t for t in tiles if t.get("change") not in (None, 0)]
    moved.sort(key=lambda t: abs(t["change"]), reverse=True)
    sentences = []
    for t in moved[:3]:
        diff = t["value"] - t["before"]
        direction = "rose" if diff > 0 else "fell"
        good = _good(t, diff)
        if t["unit"] in ("currency", "customers", "people") and t["before"]:
            size = f"{abs(diff) / abs(t['before']):.1%}"
        elif t["unit"] == "minutes":
            size = _fmt(abs(diff), "minutes", currency)
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


def _layout(y_title: str, x_title: str = "Month") -> dict:
    return {
        "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "x unified",
        "template": "plotly_white",
        "colorway": PALETTE,
    }


def _by_series(rows: list[dict], series: str, x: str, y: str) -> dict[str, tuple[list, list]]:
    out: dict[str, tuple[list, list]] = {}
    for r in rows:
        xs, ys = out.setdefault(r[series], ([], []))
        xs.append(r[x])
        ys.append(r[y])
    return out


def _value_with_n_chart(
    rows: list[dict], value: str, n: str, y_title: str, value_name: str, n_name: str, chart: Chart
) -> Chart:
    """A monthly line of a KPI with the bars of its n on a second axis."""
    months = [r["month"] for r in rows]
    fig = go.Figure(layout=_layout(y_title))
    fig.add_scatter(x=months, y=[r[value] for r in rows], name=value_name, mode="lines+markers")
    fig.add_bar(x=months, y=[r[n] for r in rows], name=n_name, yaxis="y2", opacity=0.3)
    fig.update_layout(
        yaxis2={
            "title": {"text": n_name},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        }
    )
    chart.figure = fig
    return chart


def overview_charts(
    con: duckdb.DuckDBPyConnection,
    company: list[dict],
    currency: str,
    loaded: set[str] | None = None,
) -> list[Chart]:
    """The Overview's charts, each only when the export it needs has arrived."""
    charts = _overview_charts(con, company, currency)
    needs = {
        "chart-revenue": "pos_transactions",
        "chart-nps": "nps_responses",
        "chart-engagement": "hr_engagement_responses",
        "chart-csat": "support_tickets",
    }
    return [c for c in charts if loaded is None or needs.get(c.id, "") in loaded | {""}]


def _overview_charts(
    con: duckdb.DuckDBPyConnection, company: list[dict], currency: str
) -> list[Chart]:
    charts = []
    sales = run_query(con, "store_sales_monthly")
    fig = go.Figure(layout=_layout(f"Net revenue ({currency}, before tax)"))
    for store, (xs, ys) in _by_series(sales, "store_name", "month", "net_revenue").items():
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
        _value_with_n_chart(
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

    team = run_query(con, "store_team_monthly")
    fig = go.Figure(layout=_layout("Engagement index (1-5)"))
    for store, (xs, ys) in _by_series(team, "store_name", "month", "engagement_index").items():
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
        _value_with_n_chart(
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


def customer_charts(con: duckdb.DuckDBPyConnection, currency: str) -> list[Chart]:
    charts = []
    bands = run_query(con, "clv_bands")
    fig = go.Figure(layout=_layout("Customers", x_title=f"Predicted CLV ({currency})"))
    fig.add_bar(x=[r["band"] for r in bands], y=[r["customers"] for r in bands], name="Customers")
    charts.append(
        Chart(
            "chart-clv-bands",
            "Predicted customer value",
            "Customers by discounted expected spend over the horizon.",
            fig,
        )
    )

    hold = run_query(con, "clv_holdout")
    labels = [
        str(r["calibration_repeat_purchases"])
        + ("+" if r["calibration_repeat_purchases"] == 7 else "")
        for r in hold
    ]
    fig = go.Figure(
        layout=_layout(
            "Purchase days per customer",
            x_title="Repeat purchases in the calibration period",
        )
    )
    fig.add_bar(x=labels, y=[r["actual_purchases_per_customer"] for r in hold], name="Actual")
    fig.add_scatter(
        x=labels,
        y=[r["predicted_purchases_per_customer"] for r in hold],
        name="Predicted (BG/NBD)",
        mode="lines+markers",
    )
    charts.append(
        Chart(
            "chart-holdout",
            "Does the model predict? Holdout check",
            "The model fitted on the earlier data predicts the later period it did "
            "not see; bars are what happened.",
            fig,
        )
    )

    surv = run_query(con, "churn_survival")
    days = [r["days"] for r in surv]
    fig = go.Figure(
        layout=_layout("Share of customers not yet churned", x_title="Days since first purchase")
    )
    fig.add_scatter(
        x=days,
        y=[r["survival_high"] for r in surv],
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
        line_shape="hv",
    )
    fig.add_scatter(
        x=days,
        y=[r["survival_low"] for r in surv],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(51,102,204,0.2)",
        name="95% band",
        line_shape="hv",
    )
    fig.add_scatter(
        x=days, y=[r["survival"] for r in surv], mode="lines", name="Kaplan-Meier", line_shape="hv"
    )
    fig.update_layout(
        yaxis={"range": [0, 1.02], "tickformat": ".0%", "title": {"text": "Not yet churned"}}
    )
    charts.append(
        Chart(
            "chart-survival",
            "How long customers stay",
            "Kaplan-Meier estimate of the time to the first inactivity churn, with its "
            "95% band; customers still active are censored at the end of the data.",
            fig,
        )
    )

    churn = run_query(con, "churn_monthly")
    fig = go.Figure(layout=_layout("Churn rate (% of active customers)"))
    for store, (xs, ys) in _by_series(churn, "store_name", "month", "churn_rate_pct").items():
        fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers")
    charts.append(
        Chart(
            "chart-churn",
            "Monthly churn rate by home store",
            "Customers whose silence crossed the churn threshold in the month, out of "
            "those active at its start.",
            fig,
        )
    )

    cohorts = run_query(con, "cohort_retention")
    months = sorted({r["cohort_month"] for r in cohorts})
    offsets = sorted({r["months_since_first"] for r in cohorts})
    cell = {
        (r["cohort_month"], r["months_since_first"]): r["customer_retention_pct"] for r in cohorts
    }
    z = [[cell.get((m, k)) for k in offsets] for m in months]
    fig = go.Figure(
        layout=_layout("Cohort (month of first purchase)", x_title="Months since first purchase")
    )
    fig.add_heatmap(
        x=offsets,
        y=[f"{m:%Y-%m}" for m in months],
        z=z,
        colorscale="Blues",
        colorbar={"title": {"text": "% buying"}},
        hoverongaps=False,
    )
    fig.update_layout(
        hovermode="closest", yaxis={"autorange": "reversed", "title": {"text": "Cohort"}}
    )
    charts.append(
        Chart(
            "chart-cohorts",
            "Retention by monthly cohort",
            "Share of each month's new customers who bought again N months later.",
            fig,
        )
    )
    return charts


def customer_tiles(s: dict, currency: str) -> list[dict]:
    n = s["customers_with_purchases"]
    return [
        {
            "kpi": "avg_historical_clv",
            "label": "Revenue per customer to date",
            "display": None
            if s["avg_historical_clv"] is None
            else _fmt(s["avg_historical_clv"], "currency", currency),
            "definition": "Net revenue (payments less refunds) to date, averaged over "
            "customers who bought.",
            "n": n,
        },
        {
            "kpi": "avg_predicted_clv",
            "label": f"Predicted value, next {show(s['horizon_months']) or '?'} months",
            "display": None
            if s["avg_predicted_clv"] is None
            else _fmt(s["avg_predicted_clv"], "currency", currency),
            "definition": "BG/NBD x Gamma-Gamma, discounted at "
            f"{show(s['monthly_discount_rate'], '.1f', '%', 100) or '?'} a month.",
            "n": n,
        },
        {
            "kpi": "churn_rate",
            "label": "Churn rate, latest month",
            "display": show(s["last_month_churn_rate_pct"], ".1f", "%"),
            "definition": f"Customers whose silence passed {show(s['churn_threshold_days']) or '?'} days "
            "in the month / active at its start.",
            "n": s["last_month_active_at_start"] or 0,
        },
        {
            "kpi": "churned_inactive",
            "label": "Churned customers",
            "display": show(s["churned_inactive"]),
            "definition": f"No purchase for more than {show(s['churn_threshold_days']) or '?'} days.",
            "n": n,
        },
        {
            "kpi": "model_at_risk",
            "label": "At risk by the model",
            "display": show(s["model_at_risk"]),
            "definition": f"P(alive) below {show(s['p_alive_threshold'], 'g') or '?'}.",
            "n": n,
        },
        {
            "kpi": "high_value_at_risk",
            "label": "Valuable customers to call",
            "display": show(s["high_value_at_risk"]),
            "definition": f"Top {show(s['at_risk_top_value_share'], '.0f', '%', 100) or '?'} by value and "
            "churned or at risk.",
            "n": n,
        },
    ]


def _minutes(v: Any) -> str | None:
    return None if v is None else _fmt(float(v), "minutes", "")


def _in_opening_hours(v: Any) -> str | None:
    return None if v is None else f"{_minutes(v)} in opening hours"


def voice_page(con: duckdb.DuckDBPyConnection) -> dict:
    nps = run_query(con, "nps_breakdown")
    overall = next(r for r in nps if r["breakdown"] == "overall")
    counts = run_query(con, "unmatched_count")[0]
    follow = run_query(con, "follow_up_count")[0]
    themes = run_query(con, "theme_summary")
    tiles = [
        {
            "kpi": "nps",
            "label": "Net Promoter Score",
            "display": None if overall["is_suppressed"] else show(overall["nps"], "+.0f"),
            "withheld": "not enough responses",
            "extra": None
            if overall["is_suppressed"]
            else f"95% interval {show(overall['nps_low'], '+.0f') or '?'} to "
            f"{show(overall['nps_high'], '+.0f') or '?'}",
            "definition": "% promoters (9-10) minus % detractors (0-6), all responses.",
            "n": overall["responses"],
        },
        {
            "kpi": "negative_texts",
            "label": "Texts in a negative tone",
            "display": show(counts["negative"], ".0f", "%", 100 / max(counts["texts"] or 0, 1))
            if counts["texts"]
            else None,
            "extra": None,
            "definition": "VADER compound <= -0.05 with the service vocabulary, over NPS comments, "
            "tickets and rating comments.",
            "n": counts["texts"],
        },
        {
            "kpi": "unmatched",
            "label": "Texts no theme explains",
            "display": show(counts["unmatched"]),
            "extra": None,
            "definition": "Add phrases to config/themes.yaml to cover them; examples below.",
            "n": counts["texts"],
        },
        {
            "kpi": "follow_up",
            "label": "Customers waiting for a call",
            "display": show(follow["waiting"]),
            "extra": f"waiting {show(follow['avg_days_waiting'], '.0f')} days on average"
            if follow["avg_days_waiting"] is not None
            else None,
            "definition": "Recent detractors and negative tickets with no later positive contact.",
            "n": None,
        },
    ]
    charts = []
    stores = [r for r in nps if r["breakdown"] == "store"]
    fig = go.Figure(layout=_layout("NPS (points)", x_title="Store"))
    fig.add_bar(
        x=[r["store_name"] for r in stores],
        y=[r["nps"] for r in stores],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [None if r["nps"] is None else r["nps_high"] - r["nps"] for r in stores],
            "arrayminus": [None if r["nps"] is None else r["nps"] - r["nps_low"] for r in stores],
        },
        text=[f"n = {r['responses']}" for r in stores],
        name="NPS",
    )
    charts.append(
        Chart(
            "chart-nps-store",
            "NPS by store, with 95% intervals",
            f"Stores with fewer than {show(overall['min_n']) or 'the minimum'} responses show no bar.",
            fig,
        )
    )
    fig = go.Figure(layout=_layout("NPS (points)"))
    for store, (xs, ys) in _by_series(
        [r for r in nps if r["breakdown"] == "store_month"], "store_name", "month", "nps"
    ).items():
        fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers", connectgaps=False)
    charts.append(
        Chart(
            "chart-nps-store-month",
            "NPS by store and month",
            f"Gaps: fewer than {show(overall['min_n']) or 'the minimum'} responses that month, "
            "not enough for a figure.",
            fig,
        )
    )
    fig = go.Figure(layout=_layout("Share of texts (%)", x_title="Theme"))
    fig.add_bar(
        x=[r["label"] for r in themes],
        y=[r["share_of_texts_pct"] for r in themes],
        name="Share of texts",
        # colour = average sentiment on a red (-1) to green (+1) scale, as explicit colours
        marker={
            "color": sample_colorscale(
                "RdYlGn", [((r["avg_sentiment"] or 0) + 1) / 2 for r in themes]
            )
        },
        customdata=[r["avg_sentiment"] for r in themes],
        hovertemplate="%{x}: %{y:.1f}% of texts, average sentiment %{customdata:.2f}<extra></extra>",
    )
    charts.append(
        Chart(
            "chart-themes",
            "What customers talk about",
            "Share of all texts that mention each theme (a text can mention "
            "several); colour = average sentiment, red negative, green positive.",
            fig,
        )
    )
    fig = go.Figure(layout=_layout("NPS difference (points)", x_title="Theme"))
    fig.add_bar(
        x=[r["label"] for r in themes],
        y=[r["nps_pull"] for r in themes],
        name="Pull",
        text=[f"n = {r['nps_n_mentioning']}" for r in themes],
    )
    charts.append(
        Chart(
            "chart-theme-pull",
            "Each theme's pull on NPS",
            "NPS of respondents whose comment mentions the theme minus NPS of those "
            "whose comment does not, in NPS points (each NPS runs from -100 to +100, so a "
            "difference can reach 200): below zero, the theme comes with unhappier customers.",
            fig,
        )
    )
    monthly = run_query(con, "theme_monthly")
    fig = go.Figure(layout=_layout("Share of the month's texts (%)"))
    for label, (xs, ys) in _by_series(monthly, "label", "month", "share_of_texts_pct").items():
        fig.add_scatter(x=xs, y=ys, name=label, mode="lines")
    charts.append(
        Chart("chart-theme-trend", "Themes by month", "Share of each month's texts.", fig)
    )
    tables = [
        {
            "title": "Customers waiting for someone to call them back",
            "anchor": "follow-up",
            "note": "Personal data: for follow-up only (marts.rpt_follow_up). One row per "
            "customer with every reason, longest wait first; days waiting count to today.",
            "personal": True,
            "csv": "follow_up.csv",
            "noun": "customers",
            "columns": [
                ("Why", "reasons"),
                ("Customer", "customer_name"),
                ("E-mail", "email"),
                ("Phone", "phone"),
                ("Store", "store_id"),
                ("Waiting since", "date"),
                ("Days waiting", "days_waiting"),
                ("What they said", "verbatim"),
            ],
            "rows": run_query(con, "follow_up"),
        },
        {
            "title": "What the themes miss",
            "note": "Recent texts that match no theme (all in marts.rpt_unmatched_texts).",
            "personal": False,
            "columns": [
                ("Kind", "source"),
                ("Month", "text_month"),
                ("Tone", "sentiment_label"),
                ("Text", "text"),
            ],
            "rows": run_query(con, "unmatched_texts"),
        },
    ]
    return {
        "page": "voice.html",
        "title": "Voice of the customer",
        "subtitle": "What customers say, how they feel, and who is waiting for an answer",
        "tiles": tiles,
        "charts": charts,
        "tables": tables,
    }


def support_page(con: duckdb.DuckDBPyConnection) -> dict:
    rows = run_query(con, "support_breakdown")
    overall = next(r for r in rows if r["breakdown"] == "overall")
    tiles = [
        {
            "kpi": "first_reply",
            "label": "Median first reply",
            "display": _minutes(overall["median_first_reply_minutes"]),
            "extra": _in_opening_hours(overall["median_first_reply_business_minutes"]),
            "definition": "Ticket created to first agent reply (Zendesk definition).",
            "n": overall["replied_tickets"],
        },
        {
            "kpi": "resolution",
            "label": "Median full resolution",
            "display": _minutes(overall["median_full_resolution_minutes"]),
            "extra": _in_opening_hours(overall["median_full_resolution_business_minutes"]),
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
    monthly = run_query(con, "support_monthly")
    months = [r["month"] for r in monthly]
    fig = go.Figure(layout=_layout("Median first reply (hours)"))
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
        _value_with_n_chart(
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
    fig = go.Figure(layout=_layout("Hours", x_title="Channel"))
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
    fig = go.Figure(layout=_layout("Churned (% of customers)", x_title="Customers"))
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
                r | {"first_reply": _minutes(r["median_first_reply_business_minutes"])}
                for r in agents
            ],
        }
    ]
    return {
        "page": "support.html",
        "title": "Support",
        "subtitle": "How fast and how well we answer: every ticket loaded so far",
        "tiles": tiles,
        "charts": charts,
        "tables": tables,
    }


def team_page(con: duckdb.DuckDBPyConnection, company: list[dict]) -> dict:
    cur = company[-1] if company else {}
    team = run_query(con, "team_monthly")
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
        fig = go.Figure(layout=_layout(y))
        for store, (xs, ys) in _by_series(team, "store_name", "month", col).items():
            fig.add_scatter(x=xs, y=ys, name=store, mode="lines+markers", connectgaps=False)
        charts.append(Chart(cid, title, note, fig))

    tenure = run_query(con, "team_tenure")
    fig = go.Figure(layout=_layout("Employees", x_title="Tenure"))
    for status, (xs, ys) in _by_series(tenure, "status", "tenure_band", "employees").items():
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
    fig = go.Figure(layout=_layout("Correlation (r)", x_title="Months after the survey"))
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
        "page": "team.html",
        "title": "Team",
        "subtitle": "Do the people who serve customers feel understood, and does it show?",
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


def quality_page(con: duckdb.DuckDBPyConnection) -> dict:
    sources = run_query(con, "data_quality")
    rules = run_query(con, "rejections_by_rule")
    checks = run_query(con, "check_results")
    passed = sum(c["passed"] for c in checks)
    last = max((c["checked_at"] for c in checks), default=None)
    read = sum(r["rows_read"] or 0 for r in sources)
    rejected = sum(r["rows_rejected"] or 0 for r in sources)
    tiles = [
        {
            "kpi": "last_refresh",
            "label": "Last refresh",
            "display": f"{last:%Y-%m-%d %H:%M} UTC" if last else "–",
            "extra": None,
            "definition": "When the checks of the published refresh ran.",
            "n": None,
        },
        {
            "kpi": "checks",
            "label": "Checks passed",
            "display": f"{passed} of {len(checks)}",
            "extra": None,
            "definition": "dbt tests, Great Expectations suites and the row "
            "accounting check of the refresh; a failing blocking check stops publishing.",
            "n": None,
        },
        {
            "kpi": "files",
            "label": "Files loaded",
            "display": show(sum(r["files"] or 0 for r in sources)),
            "extra": None,
            "definition": "Landing files processed, all sources.",
            "n": None,
        },
        {
            "kpi": "rejected",
            "label": "Rows rejected",
            "display": show(rejected),
            "extra": f"{100 * rejected / max(read, 1):.3f}% of {read:,} rows read",
            "definition": "Rows that broke a rule of their data contract; kept with the reason.",
            "n": read,
        },
    ]
    attention = run_query(con, "files_needing_attention")
    unlisted = run_query(con, "values_seen")
    tables = [
        {
            "title": "Files that were not loaded",
            "note": "Files rejected whole, unreadable, or in no known export format (the "
            "message lists the closest known formats and the headers they expect). Their rows "
            "are kept in raw.<source>__rejected or raw.unrecognised_files__rejected. Links, "
            "pipes and devices in landing/ are refused unread: copy the export itself there.",
            "personal": False,
            "columns": [
                ("File", "file_name"),
                ("Source", "source"),
                ("Status", "status"),
                ("Rows", "rows_read"),
                ("Message", "message"),
                ("Loaded at (UTC)", "loaded_at"),
            ],
            "rows": attention,
        },
        *(
            [
                {
                    "title": "Stores, roles and categories not in your business profile",
                    "note": "Their rows are loaded and counted like any other. A new one is a "
                    "new store or role, or a misspelt id in an export: add it with its name to "
                    "config/business.yaml (or correct the export), and the next refresh shows "
                    "it under its name.",
                    "personal": False,
                    "columns": [
                        ("Kind", "kind"),
                        ("Id in the exports", "value"),
                        ("Status", "status"),
                        ("Rows", "rows"),
                        ("Sources", "sources"),
                        ("First seen", "first_seen"),
                        ("Last seen", "last_seen"),
                    ],
                    "rows": unlisted,
                }
            ]
            if unlisted
            else []
        ),
        {
            "title": "Sources",
            "note": "Every row read is loaded or rejected (rows read = loaded + "
            "rejected). Duplicate files had the same content as a file loaded before.",
            "personal": False,
            "columns": [
                ("Source", "source"),
                ("Files", "files"),
                ("Rejected whole", "files_rejected"),
                ("Duplicates", "files_duplicate"),
                ("Rows read", "rows_read"),
                ("Loaded", "rows_loaded"),
                ("Rejected", "rows_rejected"),
                ("Rejected %", "rejected_pct"),
                ("Latest file", "last_file"),
                ("Loaded at (UTC)", "last_loaded_at"),
            ],
            "rows": sources,
        },
        {
            "title": "Rejected rows by rule",
            "note": "All rejected rows are in raw.<source>__rejected "
            "with the file, row, column, rule and the raw record.",
            "personal": False,
            "columns": [
                ("Source", "source"),
                ("Column", "column_name"),
                ("Rule", "rule"),
                ("Rows", "rows_rejected"),
                ("Files", "files"),
                ("Example", "example_row"),
                ("Reason", "example_reason"),
            ],
            "rows": rules,
        },
        {
            "title": "Checks of the latest refresh",
            "note": "Failed checks first.",
            "personal": False,
            "columns": [
                ("Asset", "asset"),
                ("Check", "check_name"),
                ("Result", "result"),
                ("If it fails", "if_it_fails"),
                ("Details", "description"),
            ],
            "rows": [
                c
                | {
                    "result": "passed" if c["passed"] else "FAILED",
                    "if_it_fails": "publishing stops" if c["blocking"] else "a warning only",
                }
                for c in checks
            ],
        },
    ]
    return {
        "page": "quality.html",
        "title": "Data quality",
        "subtitle": "What was loaded, what was rejected and why, and every check",
        "tiles": tiles,
        "charts": [],
        "tables": tables,
    }


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
                    _fmt(r[col], "currency", currency) if unit == "currency" else show(r[col])
                    for r in rows
                ],
            }
            for label, col, _, unit in shown
        ],
    }


# What the owner drops into landing/ for each source (the data contracts): named when a page or
# a figure has nothing to show because that export has not arrived.
SOURCE_EXPORTS = {
    "pos_transactions": "point-of-sale export (payments)",
    "pos_line_items": "point-of-sale item lines",
    "crm_customers": "CRM customer export",
    "support_tickets": "help-desk ticket export",
    "nps_responses": "NPS survey export",
    "hr_employees": "HR employee register",
    "hr_engagement_responses": "staff pulse-survey export",
    "hr_absences": "absence records",
}
# The sources a page needs (any one of them is enough).
PAGE_SOURCES = {
    "customers.html": ("pos_transactions",),
    "voice.html": ("nps_responses", "support_tickets"),
    "support.html": ("support_tickets",),
    "team.html": ("hr_employees", "hr_engagement_responses"),
}


def missing_text(sources: tuple[str, ...] | list[str]) -> str:
    names = " or ".join(SOURCE_EXPORTS.get(s, s) for s in sources)
    return (
        f"No {names} yet: drop your tool's export into landing/ (as exported, or in "
        f"landing/{sources[0]}/) and the next refresh shows this."
    )


def loaded_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The sources with at least one row loaded (an absent or wholly rejected export is none)."""
    return {r["source"] for r in run_query(con, "data_quality") if (r["rows_loaded"] or 0) > 0}


def missing_page(page: str, title: str, subtitle: str, loaded: set[str]) -> dict | None:
    """The context of a page whose sources are all missing (None: the page has data)."""
    needs = PAGE_SOURCES.get(page, ())
    if not needs or any(s in loaded for s in needs):
        return None
    return {
        "page": page,
        "title": title,
        "subtitle": subtitle,
        "missing": missing_text(needs),
        "missing_sources": ",".join(needs),
        "tiles": [],
        "charts": [],
        "tables": [],
    }


PAGES = [
    ("index.html", "Overview"),
    ("customers.html", "Customers"),
    ("voice.html", "Voice of the customer"),
    ("support.html", "Support"),
    ("team.html", "Team"),
    ("quality.html", "Data quality"),
]


def build_site(
    db_path: Path, out_dir: Path, currency: str = "£", published_name: str | None = None
) -> SiteSummary:
    """Render every page into ``out_dir`` (which must not exist yet). ``published_name`` is the
    name the database is published under when ``db_path`` is a temporary copy."""
    out_dir.mkdir(parents=True)
    assets = out_dir / "assets"
    assets.mkdir()
    shutil.copyfile(
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js", assets / "plotly.min.js"
    )
    shutil.copyfile(HERE / "static" / "style.css", assets / "style.css")
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=lambda v: "–" if v is None else v,  # a missing value is a dash, never "None"
    )
    # every figure in a template goes through the same null-safe path as the tiles
    env.filters["num"] = lambda v, spec=",", suffix="", scale=1.0: (
        show(v, spec, suffix, scale) or "–"
    )
    built = dt.datetime.now(dt.UTC)
    env.filters["cell"] = cell
    common = {
        "nav": PAGES,
        "built_at": built.strftime("%Y-%m-%d %H:%M UTC"),
        "analytics_name": published_name or db_path.name,
        "currency": currency,
    }
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        company = run_query(con, "company_monthly")
        definitions = run_query(con, "kpi_definitions")
        loaded = loaded_sources(con)
        fresh = freshness(run_query(con, "source_freshness"), built.date())
        common["freshness"] = fresh.sentence()
        common["late"] = [
            f"{SOURCE_EXPORTS.get(s, s)} (newest {d:%d %b %Y})" for s, d in fresh.late
        ]
        # headline figures from complete months only; a month under way is shown as days so far
        per = period(company, fresh)
        latest = per.complete[-1]["month"] if per.complete else None
        summaries = run_query(con, "customer_value_summary")
        summary = summaries[0] if summaries else {}
        overview = {
            "page": "index.html",
            "title": "Overview",
            "subtitle": per.label if company else "No data yet",
            "tiles": (
                tiles := kpi_tiles(
                    per.complete,
                    definitions,
                    currency,
                    {"kpi_customer_value_summary": summary},
                    loaded,
                )
            ),
            "changes": what_changed(tiles, latest, currency),
            "actions": this_week(
                run_query(con, "follow_up_count")[0],
                summary,
                run_query(con, "theme_monthly"),
                run_query(con, "store_team_monthly"),
                latest,
                currency,
            ),
            "so_far": month_so_far(con, per, currency, loaded),
            "charts": overview_charts(con, per.complete, currency, loaded),
            "ingest": run_query(con, "ingest_summary"),
        }
        customers = missing_page(
            "customers.html", "Customers", "Who is valuable and who is slipping away", loaded
        ) or {
            "page": "customers.html",
            "title": "Customers",
            "subtitle": "Who is valuable, who is slipping away, and are we keeping the "
            "people we win?",
            "s": summary,
            "tiles": customer_tiles(summary, currency),
            "charts": customer_charts(con, currency),
            "segments": run_query(con, "rfm_segments"),
            "at_risk": (at_risk := run_query(con, "customers_at_risk")),
            "lists": [
                {
                    "csv": "customers_at_risk.csv",
                    "columns": [
                        ("Customer", "customer_name"),
                        ("E-mail", "email"),
                        ("Phone", "phone"),
                        ("Store", "home_store_id"),
                        ("Last purchase", "last_purchase_date"),
                        ("Days silent", "days_since_last_purchase"),
                        ("Orders", "orders"),
                        ("Revenue to date", "historical_clv"),
                        ("Predicted CLV", "predicted_clv"),
                        ("P(alive)", "p_alive"),
                        ("Segment", "rfm_segment"),
                    ],
                    "rows": at_risk,
                }
            ],
        }
        voice = missing_page(
            "voice.html", "Voice of the customer", "What customers tell us", loaded
        ) or voice_page(con)
        support = missing_page(
            "support.html", "Support", "How fast and how well we answer", loaded
        ) or support_page(con)
        team = missing_page(
            "team.html", "Team", "Do the people who serve customers feel understood?", loaded
        ) or team_page(con, per.complete)
        quality = quality_page(con)
    finally:
        con.close()
    charts: dict[str, int] = {}
    for name, context in (
        ("index", overview),
        ("customers", customers),
        ("page", voice),
        ("page", support),
        ("page", team),
        ("page", quality),
    ):
        for table in [*context.get("tables", []), *context.get("lists", [])]:
            if table.get("csv"):  # the whole list, safe to open in a spreadsheet
                write_list(out_dir / table["csv"], table["columns"], table["rows"])
        html = env.get_template(f"{name}.html.j2").render(**common, **context)
        (out_dir / context["page"]).write_text(html)
        pause_point("report")  # some pages written, not all (crash tests only)
        charts |= {c.id: c.points for c in context["charts"]}
    return SiteSummary(pages=[p for p, _ in PAGES], charts=charts)
