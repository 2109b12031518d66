"""Build the owner's static report site from the marts of a (read-only) warehouse file.

Each page is a module of ``pages/`` registered in ``pages.PAGES`` (its file, title, template,
the exports it needs and its build function) plus SQL files in ``queries/`` and a Jinja2
template; charts are Plotly figures rendered in the browser by the plotly.js that ships inside
the ``plotly`` package (copied into ``assets/``), so the site works offline and from
``file://``. This module only puts them together: the shared context, the render loop, the
contact-list CSVs.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import plotly
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dagster_project.faults import pause_point
from reports.contact_lists import write_list
from reports.context import ReportContext
from reports.formatting import cell, show
from reports.pages import PAGES, Page
from reports.periods import freshness, period
from reports.queries import HERE, run_query
from reports.sources import SOURCE_EXPORTS, loaded_sources, missing_text


@dataclass
class SiteSummary:
    pages: list[str]
    charts: dict[str, int] = field(default_factory=dict)  # chart id -> data points


def missing_page(page: Page, loaded: set[str]) -> dict[str, Any] | None:
    """The content of a page whose exports have all not arrived (None: the page has data)."""
    if not page.needs or any(s in loaded for s in page.needs):
        return None
    return {
        "missing": missing_text(page.needs),
        "missing_sources": ",".join(page.needs),
        "tiles": [],
        "charts": [],
        "tables": [],
    }


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=lambda v: "–" if v is None else v,  # a missing value is a dash, never "None"
    )
    # every figure in a template goes through the same null-safe path as the tiles
    env.filters["num"] = lambda v, spec=",", suffix="", scale=1.0: (
        show(v, spec, suffix, scale) or "–"
    )
    env.filters["cell"] = cell
    return env


def report_context(con: duckdb.DuckDBPyConnection, currency: str, built: dt.datetime):
    company = run_query(con, "company_monthly")
    fresh = freshness(run_query(con, "source_freshness"), built.date())
    summaries = run_query(con, "customer_value_summary")
    return ReportContext(
        con=con,
        currency=currency,
        built=built,
        loaded=loaded_sources(con),
        company=company,
        # headline figures from complete months only; a month under way is shown as days so far
        period=period(company, fresh),
        freshness=fresh,
        definitions=run_query(con, "kpi_definitions"),
        summary=summaries[0] if summaries else {},
    )


def build_site(
    db_path: Path,
    out_dir: Path,
    currency: str = "£",
    published_name: str | None = None,
    business: str = "",
) -> SiteSummary:
    """Render every page into ``out_dir`` (which must not exist yet). ``published_name`` is the
    name the database is published under when ``db_path`` is a temporary copy; ``business``
    the business's name (its profile), on every page: one host may publish many."""
    out_dir.mkdir(parents=True)
    assets = out_dir / "assets"
    assets.mkdir()
    shutil.copyfile(
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js", assets / "plotly.min.js"
    )
    shutil.copyfile(HERE / "static" / "style.css", assets / "style.css")
    env = environment()
    built = dt.datetime.now(dt.UTC)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        ctx = report_context(con, currency, built)
        common = {
            "nav": [(p.file, p.title) for p in PAGES],
            "built_at": built.strftime("%Y-%m-%d %H:%M UTC"),
            "analytics_name": published_name or db_path.name,
            "currency": currency,
            "business": business,
            "freshness": ctx.freshness.sentence(),
            "late": [
                f"{SOURCE_EXPORTS.get(s, s)} (newest {d:%d %b %Y})" for s, d in ctx.freshness.late
            ]
            + [
                f"{SOURCE_EXPORTS.get(s, s)} (no new file since {d:%d %b %Y})"
                for s, d in ctx.freshness.not_arriving
                if s not in {late for late, _ in ctx.freshness.late}
            ],
        }
        contexts = [
            (
                page,
                {"subtitle": page.subtitle}
                | (missing_page(page, ctx.loaded) or page.build(ctx))
                | {"page": page.file, "title": page.title},
            )
            for page in PAGES
        ]
    finally:
        con.close()
    charts: dict[str, int] = {}
    for page, context in contexts:
        for table in [*context.get("tables", []), *context.get("lists", [])]:
            if table.get("csv"):  # the whole list, safe to open in a spreadsheet
                write_list(out_dir / table["csv"], table["columns"], table["rows"])
        template = "page" if "missing" in context else page.template
        html = env.get_template(f"{template}.html.j2").render(**common, **context)
        (out_dir / page.file).write_text(html)
        pause_point("report")  # some pages written, not all (crash tests only)
        charts |= {c.id: c.points for c in context["charts"]}
    return SiteSummary(pages=[p.file for p in PAGES], charts=charts)
