"""The Voice of the customer page: NPS, tone, themes and who is waiting for a call."""

from __future__ import annotations

import datetime as dt

import duckdb
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from reports.charts import Chart, by_series, layout
from reports.context import ReportContext
from reports.formatting import show
from reports.periods import complete_only
from reports.queries import run_query


def voice_page(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> dict:
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
    fig = go.Figure(layout=layout("NPS (points)", x_title="Store"))
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
    fig = go.Figure(layout=layout("NPS (points)"))
    for store, (xs, ys) in by_series(
        complete_only([r for r in nps if r["breakdown"] == "store_month"], until),
        "store_name",
        "month",
        "nps",
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
    fig = go.Figure(layout=layout("Share of texts (%)", x_title="Theme"))
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
    fig = go.Figure(layout=layout("NPS difference (points)", x_title="Theme"))
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
    monthly = complete_only(run_query(con, "theme_monthly"), until)
    fig = go.Figure(layout=layout("Share of the month's texts (%)"))
    # the most mentioned themes only: eighteen lines read as none on a phone
    totals: dict[str, int] = {}
    for row in monthly:
        totals[row["label"]] = totals.get(row["label"], 0) + (row["mentions"] or 0)
    shown = {t for t in sorted(totals, key=lambda t: -totals[t])[:TREND_THEMES] if totals[t]}
    series = by_series(monthly, "label", "month", "share_of_texts_pct")
    for label, (xs, ys) in series.items():
        if label in shown:
            fig.add_scatter(x=xs, y=ys, name=label, mode="lines")
    charts.append(
        Chart(
            "chart-theme-trend",
            "Themes by month",
            f"Share of each month's texts, the {len(shown)} most mentioned themes "
            "(every theme in marts.kpi_theme_monthly).",
            fig,
        )
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
            "title": "Candidate themes from what the themes miss",
            "anchor": "candidate-themes",
            "note": "Texts no theme explains, grouped by the phrase they share (all history, "
            "marts.rpt_theme_candidates). To add one, paste its lines under themes: in "
            "config/themes.yaml and edit the label and description; the next refresh applies "
            "it to every text.",
            "personal": False,
            "code": ("theme_yaml",),
            "columns": [
                ("Phrase", "phrase"),
                ("Texts", "texts"),
                ("Negative", "negative_texts"),
                ("Also mentioned", "top_words"),
                ("Examples", "examples"),
                ("Lines to add", "theme_yaml"),
            ],
            "rows": run_query(con, "theme_candidates"),
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
        "tiles": tiles,
        "charts": charts,
        "tables": tables,
    }


TREND_THEMES = 6


def build(ctx: ReportContext) -> dict:
    return voice_page(ctx.con, ctx.period.partial_month)
