"""Correlations as plain sentences on the Team page (issue 18)."""

from reports.pages.team import engagement_findings


def row(outcome, lag, r, lo, hi, n=60):
    return {
        "scope": "within_store",
        "method": "pearson",
        "driver": "engagement_index",
        "outcome": outcome,
        "lag_months": lag,
        "r": r,
        "ci_low": lo,
        "ci_high": hi,
        "n": n,
    }


def test_direction_strength_and_chance_in_words():
    got = engagement_findings(
        [
            row("nps", 1, 0.56, 0.35, 0.71),
            row("net_revenue", 0, -0.25, -0.5, 0.02),
            row("csat_pct", 0, 0.05, -0.2, 0.3),
            row("nps", 2, 0.9, 0.8, 0.95),  # lags beyond one month stay in the mart
            {**row("nps", 0, 0.5, 0.2, 0.7), "method": "spearman"},
        ]
    )
    assert got == [
        "When a store's team is more engaged than usual, its sales tend to be lower the same "
        "month: a weak link, which could be chance (r = -0.25, 60 store-months).",
        "When a store's team is more engaged than usual, its customer NPS tends to be higher "
        "the month after: a strong link, clear beyond chance (r = +0.56, 60 store-months).",
        "Engagement and support ratings the same month: no real link (r = +0.05, 60 store-months).",
    ]
