"""Python assets of the kpis stage: they read dbt summaries and write tables dbt declares as
sources."""

import dagster as dg

from dagster_project.kpis.clv_runs import fit_and_record
from dagster_project.resources import DuckDBWarehouse

CLV_RUNS_KEY = dg.AssetKey(["models", "clv_model_runs"])


@dg.asset(
    key=CLV_RUNS_KEY,
    group_name="kpis",
    kinds={"python", "scipy", "duckdb"},
    deps=[
        dg.AssetKey(["intermediate", "int_clv_summary_calibration"]),
        dg.AssetKey(["intermediate", "int_clv_summary_full"]),
    ],
    description="BG/NBD and Gamma-Gamma fits (maximum likelihood) on the calibration and full "
    "customer summaries; one row per fit in models.clv_model_runs, reused while the summary "
    "is unchanged.",
)
def clv_model_runs(
    context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        outcomes = fit_and_record(con)
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
