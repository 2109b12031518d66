"""The Customers page: customer value, churn, retention and the at-risk list."""

from __future__ import annotations

import datetime as dt

import duckdb
import plotly.graph_objects as go

from reports.charts import Chart, by_series, layout
from reports.context import ReportContext
from reports.formatting import fmt_value, show
from reports.periods import complete_only
from reports.queries import run_query


def customer_charts(
    con: duckdb.DuckDBPyConnection, currency: str, until: dt.date | None = None
) -> list[Chart]:
    """``until``: the first day of a month under way, left out of the monthly charts (a few
    days of a month are not a month)."""
    charts = []
    bands = run_query(con, "clv_bands")
    fig = go.Figure(layout=layout("Customers", x_title=f"Predicted CLV ({currency})"))
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
        layout=layout(
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
        layout=layout("Share of customers not yet churned", x_title="Days since first purchase")
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

    churn = complete_only(run_query(con, "churn_monthly"), until)
    fig = go.Figure(layout=layout("Churn rate (% of active customers)"))
    for store, (xs, ys) in by_series(churn, "store_name", "month", "churn_rate_pct").items():
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
        layout=layout("Cohort (month of first purchase)", x_title="Months since first purchase")
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
            else fmt_value(s["avg_historical_clv"], "currency", currency),
            "definition": "Net revenue (payments less refunds) to date, averaged over "
            "customers who bought.",
            "n": n,
        },
        {
            "kpi": "avg_predicted_clv",
            "label": f"Predicted value, next {show(s['horizon_months']) or '?'} months",
            "display": None
            if s["avg_predicted_clv"] is None
            else fmt_value(s["avg_predicted_clv"], "currency", currency),
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


AT_RISK_COLUMNS = [
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
    ("Churn risk", "churn_risk"),
    ("Why", "churn_reasons"),
]


def _auc(row: dict) -> str:
    return f"{row['auc']:.2f}" if row.get("auc") is not None else "–"


def churn_verdict(evaluation: list[dict]) -> str | None:
    """One honest sentence: does listening to customers help predict who leaves, here?"""
    by = {r["method"]: r for r in evaluation}
    voice, base = by.get("voice_and_purchases"), by.get("purchases_only")
    if not voice or not base or voice["auc"] is None:
        return None
    horizon = voice["horizon_days"]
    head = (
        f"Tested on {voice['customers']:,} customers as they stood on "
        f"{voice['test_cutoff']:%d %b %Y}, {voice['churners']:,} of whom then bought nothing "
        f"for {horizon} days: "
    )
    if voice["voice_features"] == 0:
        return head + (
            f"purchase history ranks them with an AUC of {_auc(base)}. There is nothing from "
            "what customers say to add yet: no NPS answers, tickets or reviews tied to customers "
            "in this history."
        )
    gain = (
        f"{voice['auc_gain']:+.3f}, 95% interval {voice['auc_gain_ci_low']:+.3f} to "
        f"{voice['auc_gain_ci_high']:+.3f}"
    )
    verdict = voice["compared_with_purchases_only"]
    if verdict == "better":
        tail = f"Adding what customers said ranks them better ({gain} in AUC)."
    elif verdict == "worse":
        tail = (
            f"Adding what customers said ranks them worse here ({gain} in AUC): rely on purchases."
        )
    else:
        tail = (
            f"Adding what customers said makes no clear difference to the ranking here ({gain} "
            "in AUC): purchase history already tells most of it."
        )
    return (
        head
        + f"the model ranks them with an AUC of {_auc(voice)} against {_auc(base)} from purchases alone. "
        + tail
    )


def calibration_chart(rows: list[dict]) -> Chart | None:
    rows = [r for r in rows if r["mean_predicted"] is not None and r["observed_rate"] is not None]
    if not rows:
        return None
    fig = go.Figure(
        layout=layout("Who actually stopped (%)", x_title="Predicted chance of stopping (%)")
    )
    fig.add_scatter(
        x=[0, 100],
        y=[0, 100],
        mode="lines",
        name="Perfectly calibrated",
        line={"dash": "dot", "color": "#999"},
    )
    names = {"voice_and_purchases": "Model (purchases and voice)", "p_alive": "1 - P(alive)"}
    for method, label in names.items():
        part = [r for r in rows if r["method"] == method]
        if part:
            fig.add_scatter(
                x=[100 * r["mean_predicted"] for r in part],
                y=[100 * r["observed_rate"] for r in part],
                text=[f"{r['customers']} customers" for r in part],
                mode="lines+markers",
                name=label,
            )
    return Chart(
        "chart-churn-calibration",
        "Are the churn predictions honest?",
        "Held-out customers in ten bins of predicted chance of not buying in the horizon: "
        "points on the dotted line mean the predicted chances came true.",
        fig,
    )


def build(ctx: ReportContext) -> dict:
    at_risk = run_query(ctx.con, "customers_at_risk")
    evaluation = run_query(ctx.con, "churn_model_evaluation")
    calibration = calibration_chart(run_query(ctx.con, "churn_model_calibration"))
    return {
        "churn_evaluation": evaluation,
        "churn_verdict": churn_verdict(evaluation),
        "churn_signals": run_query(ctx.con, "churn_voice_signals"),
        "s": ctx.summary,
        "tiles": customer_tiles(ctx.summary, ctx.currency),
        # the calibration chart is drawn in the churn prediction's section
        "charts": customer_charts(ctx.con, ctx.currency, ctx.period.partial_month)
        + ([calibration] if calibration else []),
        "segments": run_query(ctx.con, "rfm_segments"),
        "at_risk": at_risk,
        "lists": [{"csv": "customers_at_risk.csv", "columns": AT_RISK_COLUMNS, "rows": at_risk}],
    }
