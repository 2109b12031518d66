"""The churn model's pieces on hand-made inputs: the lift with ties, DeLong's AUC variance
against its pairwise definition, the Katz interval against a hand computation, and the whole
run on customers whose churn is planted: recovered when what they said matters, and exactly the
purchases-only model when there is nothing they said."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from dagster_project.analysis import churn_model as cm

FITTED_AT = dt.datetime(2026, 12, 1, 6, 0)


def test_top_share_lift_counts_tied_customers_in_proportion():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])  # churn rate 0.2
    # one customer is the top 10%; two tie for it, one of whom churned: half a churner
    assert cm.top_share_lift(np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0.0]), y) == pytest.approx(2.5)
    # a clear top customer who churned: 1 / 0.2
    assert cm.top_share_lift(np.array([9, 1, 0, 0, 0, 0, 0, 0, 0, 0.0]), y) == pytest.approx(5.0)
    # ... who stayed
    assert cm.top_share_lift(np.array([0, 9, 0, 0, 0, 0, 0, 0, 0, 0.0]), y) == 0.0
    # every score equal: the top 10% churn at the overall rate
    assert cm.top_share_lift(np.zeros(10), y) == pytest.approx(1.0)
    assert cm.top_share_lift(np.zeros(3), np.zeros(3)) is None


def _pairwise(y, s):
    """AUC and its DeLong structural components from the definition: psi over every pair."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)


def test_delong_matches_its_pairwise_definition_with_ties():
    rng = np.random.default_rng(3)
    y = (rng.random(60) < 0.4).astype(int)
    a = np.round(rng.random(60) + 0.5 * y, 1)  # rounded: many ties
    b = np.round(rng.random(60) + 0.2 * y, 1)
    aucs, cov = cm.delong(y, [a, b])
    (auc_a, v10a, v01a), (auc_b, v10b, v01b) = _pairwise(y, a), _pairwise(y, b)
    m, n = int(y.sum()), int((1 - y).sum())
    assert aucs == pytest.approx([auc_a, auc_b])
    var_a = np.var(v10a, ddof=1) / m + np.var(v01a, ddof=1) / n
    cov_ab = np.cov(v10a, v10b)[0, 1] / m + np.cov(v01a, v01b)[0, 1] / n
    assert cov[0, 0] == pytest.approx(var_a)
    assert cov[0, 1] == pytest.approx(cov_ab)


def test_risk_ratio_interval_by_hand():
    # 20 of 40 with the signal churned, 30 of 120 without: RR = 0.5 / 0.25 = 2;
    # se(log RR) = sqrt(1/20 - 1/40 + 1/30 - 1/120) = sqrt(0.05) = 0.22361;
    # 2 * exp(-/+ 1.96 * 0.22361) = 1.2903, 3.1001
    rr, low, high = cm.risk_ratio(20, 40, 30, 120)
    assert rr == pytest.approx(2.0)
    assert low == pytest.approx(1.2903, abs=1e-4)
    assert high == pytest.approx(3.1001, abs=1e-4)
    assert cm.risk_ratio(0, 40, 30, 120) == (None, None, None)


def customers(seed: int, n: int, voice: bool) -> pl.DataFrame:
    """Feature rows as int_churn_features_at_cutoffs gives them, for three cutoffs 90 days
    apart. Churn depends on recency and purchase days and, when ``voice``, on a slow first
    reply (log-odds +2) that the purchase history does not show."""
    rng = np.random.default_rng(seed)
    rows = []
    for split, cutoff in (
        ("train", dt.date(2026, 5, 3)),
        ("test", dt.date(2026, 8, 1)),
        ("score", dt.date(2026, 10, 30)),
    ):
        for i in range(n):
            tenure = int(rng.integers(30, 700))
            recency = int(rng.integers(0, min(tenure, 300)))
            days = 1 + int(rng.poisson(2 + tenure / 60))
            slow = int(voice and rng.random() < 0.15)
            logit = -1.0 + 0.01 * recency - 0.15 * days + 2.0 * slow
            churned = bool(rng.random() < 1 / (1 + np.exp(-logit)))
            rows.append(
                {
                    "split": split,
                    "cutoff_date": cutoff,
                    "horizon_days": 90,
                    "customer_key": f"k{i:05d}",
                    "in_population": recency <= 365,
                    "first_purchase_date": cutoff - dt.timedelta(days=tenure),
                    "last_purchase_date": cutoff - dt.timedelta(days=recency),
                    "purchase_days": days,
                    "total_value": float(days * rng.uniform(5, 30)),
                    "recency_days": recency,
                    "tenure_days": tenure,
                    "inactivity_threshold_days": 120,
                    "is_inactive": recency > 120,
                    "churned": churned if split != "score" else None,
                    "last_nps_score": None,
                    "last_nps_category": None,
                    "days_since_last_nps": None,
                    "last_text_compound": -0.6 if slow else None,
                    "last_text_sentiment": "negative" if slow else None,
                    "days_since_last_contact": 20 if slow else None,
                    "negative_texts_365d": slow,
                    "negative_themes_365d": ["waiting_time"] if slow else [],
                    "tickets_365d": slow,
                    "slow_reply_tickets_365d": slow,
                    "unsatisfied_csat_365d": 0,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def test_what_customers_said_is_recovered_when_it_matters():
    result = cm.run(customers(1, 1500, voice=True), FITTED_AT, {"waiting_time": "Waiting"})
    by = {r["method"]: r for r in result.evaluation}
    assert set(by) >= {"voice_and_purchases", "purchases_only", "inactivity_rule"}
    voice, base = by["voice_and_purchases"], by["purchases_only"]
    assert voice["customers"] == base["customers"] == by["inactivity_rule"]["customers"]
    assert voice["voice_features"] > 0 and base["voice_features"] == 0
    assert voice["auc"] > base["auc"] + 0.02
    assert voice["auc_gain_ci_low"] > 0  # clearly better, not by chance
    assert voice["top_decile_lift"] > base["top_decile_lift"]
    slow = next(s for s in result.signals if s["signal"] == "slow_reply")
    assert slow["lift"] > 1.2 and slow["risk_ratio_ci_low"] > 1
    assert slow["odds_ratio_per_sd"] > 1
    # the reasons name the customer's own experience (the synthetic voice features move
    # together, so which of them comes first is arbitrary)
    said = ("first reply", "negative message", "sounded negative", "support ticket", "waiting")
    voiced = [s for s in result.scores if any(w in (s["reason_1"] or "") for w in said)]
    assert len(voiced) > 50
    reasons = {r for s in result.scores for r in (s["reason_1"], s["reason_2"], s["reason_3"])}
    assert "waited long for a first reply (1 ticket)" in reasons
    row = {"negative_themes_365d": ["waiting_time"]}
    labels = {"waiting_time": "Waiting and delays"}
    assert cm.reason_text("theme:waiting_time", row, labels) == (
        "complained about waiting and delays"
    )
    assert cm.reason_text("theme:waiting_time", {"negative_themes_365d": []}, labels) is None
    assert not any(r and "a customer for" in r for r in reasons)
    # calibrated on the next period: each well-filled bin within 12 points
    for row in result.calibration:
        if row["method"] == "voice_and_purchases" and row["customers"] >= 100:
            assert abs(row["mean_predicted"] - row["observed_rate"]) < 0.12


def test_without_anything_customers_said_it_is_the_purchase_only_model():
    result = cm.run(customers(2, 1000, voice=False), FITTED_AT)
    by = {r["method"]: r for r in result.evaluation}
    voice, base = by["voice_and_purchases"], by["purchases_only"]
    assert voice["voice_features"] == 0
    assert voice["features"] == base["features"]
    assert voice["auc"] == base["auc"] and voice["auc_gain"] == 0.0
    assert all(s["churn_risk"] == s["purchases_only_risk"] for s in result.scores)
    assert result.signals == []


def test_too_little_history_is_said_not_guessed():
    small = customers(4, 30, voice=True)
    with pytest.raises(cm.NotEnoughHistory, match="train cutoff has"):
        cm.run(small, FITTED_AT)


def test_the_input_digest_ignores_row_and_theme_order_and_nothing_else():
    """The refresh keeps the last fit while this digest is unchanged (analysis/assets.py), so
    it must change with any value the model reads and with nothing else."""
    f = customers(5, 300, voice=True)
    labels = {"waiting_time": "Waiting time"}
    digest = cm.input_hash(f, labels)
    shuffled = f.sample(fraction=1.0, shuffle=True, seed=1).with_columns(
        pl.col("negative_themes_365d").list.reverse()
    )
    assert cm.input_hash(shuffled, labels) == digest
    one_day = f.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.col("recency_days") + 1)
        .otherwise(pl.col("recency_days"))
        .alias("recency_days")
    )
    assert cm.input_hash(one_day, labels) != digest
    assert cm.input_hash(f, {"waiting_time": "Queues"}) != digest
    result = cm.run(f, FITTED_AT, labels)
    assert {r["input_hash"] for r in result.evaluation} == {digest}
