"""The fitting assets: they read dbt summaries and write tables of the analysis schema, which dbt
declares as sources (dagster_project/warehouse_tables.yaml)."""

import datetime as dt

import dagster as dg
import polars as pl

from dagster_project import tenancy
from dagster_project.analysis import churn_model as churn
from dagster_project.analysis.clv import FitError
from dagster_project.analysis.clv_runs import fit_and_record
from dagster_project.analysis.stats import lagged_correlations
from dagster_project.resources import DuckDBWarehouse
from dagster_project.tables import ensure_table, replace_table, table

CLV_RUNS_KEY = dg.AssetKey(["analysis", "clv_model_runs"])


@dg.asset(
    key=CLV_RUNS_KEY,
    group_name="analysis",
    kinds={"python", "scipy", "duckdb"},
    deps=[
        dg.AssetKey(["intermediate", "int_clv_summary_calibration"]),
        dg.AssetKey(["intermediate", "int_clv_summary_full"]),
    ],
    description="BG/NBD and Gamma-Gamma fits (maximum likelihood) on the calibration and full "
    "customer summaries; one row per fit in analysis.clv_model_runs, reused while the summary "
    "is unchanged.",
    partitions_def=tenancy.PARTITIONS,
)
def clv_model_runs(
    context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
) -> dg.MaterializeResult:
    try:
        with warehouse.connect() as con:
            outcomes = fit_and_record(con)
    except FitError as exc:
        # one model that the data cannot support must not cost the owner the whole report:
        # nothing is stored, the customer-value figures say they are unavailable
        context.log.warning(f"customer-value models not fitted: {exc}")
        return dg.MaterializeResult(metadata={"not_fitted": str(exc)})
    if not outcomes:
        context.log.info("no customer purchases yet: no customer-value model fitted")
    meta = {}
    for o in outcomes:
        verb = "reused" if o.reused else "fitted"
        params = ", ".join(f"{k}={v:.4g}" for k, v in o.params.items())
        context.log.info(
            f"{o.model} ({o.purpose}) {verb} {o.run_id}: n={o.n_customers}, "
            f"LL={o.log_likelihood:.1f}, {params}"
        )
        meta[f"{o.purpose}_{o.model}"] = f"{o.run_id} ({verb}) {params}"
    meta["new_fits"] = sum(not o.reused for o in outcomes)
    return dg.MaterializeResult(metadata=meta)


CORRELATIONS_KEY = dg.AssetKey(["analysis", "engagement_correlations"])
PANEL_DRIVERS = ["engagement_index", "enps", "absence_rate_pct", "turnover_rate_pct"]
PANEL_OUTCOMES = ["net_revenue", "payments", "nps", "csat_pct"]


@dg.asset(
    key=CORRELATIONS_KEY,
    group_name="analysis",
    kinds={"python", "scipy", "duckdb"},
    deps=[dg.AssetKey(["marts", "fct_team_outcomes_monthly"])],
    description="Pearson and Spearman correlations of team measures with sales, NPS and CSAT at "
    "lags of 0-3 months, pooled and within stores, with n, Fisher-z intervals and p-values.",
    partitions_def=tenancy.PARTITIONS,
)
def engagement_correlations(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        panel = con.sql("SELECT * FROM marts.fct_team_outcomes_monthly").pl()
        cast = [pl.col(c).cast(pl.Float64) for c in PANEL_DRIVERS + PANEL_OUTCOMES]
        result = lagged_correlations(panel.with_columns(cast), PANEL_DRIVERS, PANEL_OUTCOMES)
        replace_table(con, "analysis.engagement_correlations", result)
    return dg.MaterializeResult(
        metadata={"correlations": result.height, "panel_rows": panel.height}
    )


CHURN_KEY = dg.AssetKey(["analysis", "churn_model"])
CHURN_TABLES = {
    "evaluation": "analysis.churn_model_evaluation",
    "calibration": "analysis.churn_model_calibration",
    "coefficients": "analysis.churn_model_coefficients",
    "scores": "analysis.churn_scores",
    "signals": "analysis.churn_voice_signals",
}


@dg.asset(
    key=CHURN_KEY,
    group_name="analysis",
    kinds={"python", "scikitlearn", "duckdb"},
    deps=[
        dg.AssetKey(["intermediate", "int_churn_features_at_cutoffs"]),
        dg.AssetKey(["analysis", "theme_catalogue"]),
    ],
    description="Churn prediction from purchase history and what customers said, on a time "
    "split: fitted on one cutoff, judged on the next against P(alive) and the inactivity rule "
    "(analysis.churn_model_evaluation, analysis.churn_model_calibration), and today's risk with "
    "its reasons per customer (analysis.churn_scores).",
    partitions_def=tenancy.PARTITIONS,
)
def churn_model(
    context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        features = con.sql("SELECT * FROM intermediate.int_churn_features_at_cutoffs").pl()
        labels = dict(con.sql("SELECT theme, label FROM analysis.theme_catalogue").fetchall())
        digest = churn.input_hash(features, labels)
        evaluation = ensure_table(con, "analysis.churn_model_evaluation").qualified
        kept = con.sql(f"SELECT DISTINCT input_hash FROM {evaluation}").fetchall()
        if kept == [(digest,)]:
            # nothing the model reads changed: the fit, the scores and their fitted_at stay
            context.log.info(f"churn model reused: inputs unchanged ({digest[:12]})")
            return dg.MaterializeResult(metadata={"reused": True, "input_hash": digest})
        fitted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            result = churn.run(features, fitted_at, labels, digest)
        except churn.NotEnoughHistory as exc:
            context.log.warning(f"churn model not fitted: {exc}")
            result = churn.ChurnResult([], [], [], [], [])
            meta: dict = {"not_fitted": str(exc)}
        else:
            meta = {
                f"auc_{r['method']}": round(r["auc"], 4) if r["auc"] is not None else "n/a"
                for r in result.evaluation
            }
            for r in result.evaluation:
                context.log.info(
                    f"churn {r['method']}: n={r['customers']}, churners={r['churners']}, "
                    f"AUC={r['auc']}, top-decile lift={r['top_decile_lift']}"
                )
        for part, name in CHURN_TABLES.items():
            replace_table(con, name, table(name).frame(getattr(result, part)))
        meta["scored_customers"] = len(result.scores)
        meta["reused"] = False
    return dg.MaterializeResult(metadata=meta)
