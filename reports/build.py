"""Build the owner's static report site from the marts of a (read-only) warehouse file.

A page is a set of SQL files in ``queries/`` plus a Jinja2 template; charts are Plotly
figures rendered in the browser by the plotly.js that ships inside the ``plotly`` package
(copied into ``assets/``), so the site works offline and from ``file://``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import plotly
import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
PALETTE = ["#3366cc", "#dc7633", "#1b9e77", "#7570b3", "#e7298a"]


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
        return sum(
            sum(v is not None for v in (t.y if t.y is not None else [])) for t in self.figure.data
        )


@dataclass
class SiteSummary:
    pages: list[str]
    charts: dict[str, int] = field(default_factory=dict)  # chart id -> data points


def run_query(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    rel = con.sql((QUERIES / f"{name}.sql").read_text())
    cols = rel.columns
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


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


def kpi_tiles(company: list[dict], definitions: list[dict], currency: str) -> list[dict]:
    """One tile per KPI definition: the latest month, the change on the month before, its n."""
    if not company:
        return []
    cur, prev = company[-1], (company[-2] if len(company) > 1 else None)
    tiles = []
    for d in definitions:
        if d["mart"] != "kpi_company_monthly":
            continue
        col = d["value_column"]
        value = cur.get(col)
        n = cur.get(d["n_column"]) if d["n_column"] else None
        tile = {
            "kpi": d["kpi"],
            "label": d["label"],
            "value": value,
            "n": n,
            "display": _fmt(value, d["unit"], currency),
            "formula": d["formula"],
            "parameters": d["parameters"],
            "withheld_reason": "not enough responses" if n is not None else "no data",
            "delta_text": "",
            "delta_class": "",
        }
        before = prev.get(col) if prev else None
        if value is not None and before is not None:
            diff = value - before
            lower_is_better = d["kpi"] == "first_reply"
            good = diff < 0 if lower_is_better else diff > 0
            if d["unit"] in ("currency", "customers", "people") and before:
                tile["delta_text"] = f"{diff / abs(before):+.1%} vs previous month"
            elif d["unit"] == "minutes":
                sign = "+" if diff > 0 else "-" if diff < 0 else "±"
                tile["delta_text"] = (
                    f"{sign}{_fmt(abs(diff), 'minutes', currency)} vs previous month"
                )
            else:
                tile["delta_text"] = f"{diff:+,.1f} vs previous month"
            tile["delta_class"] = "" if diff == 0 else ("up" if good else "down")
        tiles.append(tile)
    return tiles


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


def overview_charts(
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

    fig = go.Figure(layout=_layout("NPS (points, -100 to 100)"))
    fig.add_scatter(
        x=[r["month"] for r in company],
        y=[r["nps"] for r in company],
        name="NPS",
        mode="lines+markers",
    )
    fig.add_bar(
        x=[r["month"] for r in company],
        y=[r["nps_responses"] for r in company],
        name="Responses (n)",
        yaxis="y2",
        opacity=0.3,
    )
    fig.update_layout(
        yaxis2={
            "title": {"text": "Responses (n)"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        }
    )
    charts.append(
        Chart(
            "chart-nps",
            "Net Promoter Score by month",
            "% promoters (9-10) minus % detractors (0-6); bars show the responses.",
            fig,
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

    fig = go.Figure(layout=_layout("CSAT (% of ratings 4-5)"))
    fig.add_scatter(
        x=[r["month"] for r in company],
        y=[r["csat_pct"] for r in company],
        name="CSAT",
        mode="lines+markers",
    )
    fig.add_bar(
        x=[r["month"] for r in company],
        y=[r["csat_ratings"] for r in company],
        name="Ratings (n)",
        yaxis="y2",
        opacity=0.3,
    )
    fig.update_layout(
        yaxis2={
            "title": {"text": "Ratings (n)"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        }
    )
    charts.append(
        Chart(
            "chart-csat",
            "Support satisfaction by month",
            "Share of 1-5 ratings that are 4 or 5; bars show the ratings.",
            fig,
        )
    )
    return charts


def build_site(db_path: Path, out_dir: Path, currency: str = "£") -> SiteSummary:
    """Render every page into ``out_dir`` (which must not exist yet)."""
    out_dir.mkdir(parents=True)
    assets = out_dir / "assets"
    assets.mkdir()
    shutil.copyfile(
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js", assets / "plotly.min.js"
    )
    shutil.copyfile(HERE / "static" / "style.css", assets / "style.css")
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        company = run_query(con, "company_monthly")
        definitions = run_query(con, "kpi_definitions")
        charts = overview_charts(con, company, currency)
        ingest = run_query(con, "ingest_summary")
    finally:
        con.close()
    latest = company[-1]["month"] if company else None
    subtitle = f"{latest:%B %Y}, compared with the month before" if latest else "No data yet"
    html = env.get_template("index.html.j2").render(
        title="Overview",
        subtitle=subtitle,
        tiles=kpi_tiles(company, definitions, currency),
        charts=charts,
        ingest=ingest,
        built_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        analytics_name=db_path.name,
    )
    (out_dir / "index.html").write_text(html)
    return SiteSummary(pages=["index.html"], charts={c.id: c.points for c in charts})
