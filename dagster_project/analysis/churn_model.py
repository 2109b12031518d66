"""Churn prediction that listens: who will not buy again within the horizon, from purchase
history and from what customers said (NPS, texts, tickets), on a time split.

Input: the rows of ``intermediate.int_churn_features_at_cutoffs`` (train, test and score
cutoffs; every feature as known at the end of its cutoff day). The regressions are fitted on
the train cutoff's customers and judged on the test cutoff's, whose outcome is known; the scores
of today come from the same regressions refitted on the test cutoff. Judged alongside, on the
same customers: BG/NBD P(alive) alone and the inactivity rule.

A logistic regression (scikit-learn) on standardised features: its probabilities are calibrated
by construction on the period it was fitted on (the calibration table shows how they hold on the
next), and each customer's reasons are the features' contributions to the log-odds against an
average customer. A feature that does not vary (no voice data at all, say) is left out, so a
purchase history without any voice data gives exactly the purchases-only model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from dagster_project.analysis.clv import FitError, bgnbd_p_alive, fit_bgnbd

PURCHASE_FEATURES = [
    "recency_days",
    "repeat_purchase_days",
    "tenure_days",
    "avg_day_value",
    "p_alive",
]
VOICE_FEATURES = [
    "last_nps_detractor",
    "last_nps_promoter",
    "last_text_negativity",
    "negative_texts_365d",
    "tickets_365d",
    "slow_reply_tickets_365d",
    "unsatisfied_csat_365d",
]
THEME_PREFIX = "theme:"
MAX_THEMES = 5  # the negative themes most customers mention become features
MIN_THEME_CUSTOMERS = 10
MIN_CUSTOMERS = 50  # fewer customers, or fewer than MIN_EACH churners or stayers: no model
MIN_EACH = 10
LIFT_SHARE = 0.10
BINS = 10
# part of every input digest: change it when a change of this module changes the results, so
# that the next refresh fits again instead of keeping the fit of the same inputs
MODEL_VERSION = "1"

METHOD_LABELS = {
    "voice_and_purchases": "Purchases and what customers said",
    "purchases_only": "Purchase history alone (same regression)",
    "p_alive": "BG/NBD P(alive) alone",
    "inactivity_rule": "Inactivity rule (silent longer than usual)",
}


class NotEnoughHistory(RuntimeError):
    """The history is too short or too small for a time split."""


@dataclass(frozen=True)
class FittedModel:
    method: str
    features: list[str]
    mean: np.ndarray
    sd: np.ndarray
    coef: np.ndarray
    intercept: float

    def z(self, frame: pl.DataFrame) -> np.ndarray:
        return (frame.select(self.features).to_numpy().astype(float) - self.mean) / self.sd

    def predict(self, frame: pl.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.z(frame) @ self.coef + self.intercept)))


def with_p_alive(features: pl.DataFrame) -> pl.DataFrame:
    """P(alive) at each cutoff from a BG/NBD fit on every customer who had bought by it (weeks,
    as the customer-value model); empty where the purchases cannot support a fit."""
    parts = []
    for (_split,), part in features.group_by(["split"], maintain_order=True):
        x = (part["purchase_days"] - 1).to_numpy().astype(float)
        cutoff = part["cutoff_date"].to_numpy()
        first = part["first_purchase_date"].to_numpy()
        last = part["last_purchase_date"].to_numpy()
        t_x = (last - first).astype("timedelta64[D]").astype(float) / 7.0
        T = (cutoff - first).astype("timedelta64[D]").astype(float) / 7.0
        try:
            params = fit_bgnbd(x, t_x, T)
            p = bgnbd_p_alive(params, x, t_x, T)
        except FitError:
            p = np.full(len(x), np.nan)
        parts.append(part.with_columns(pl.Series("p_alive", p).fill_nan(None)))
    return (
        pl.concat(parts, how="vertical")
        if parts
        else features.with_columns(pl.lit(None, pl.Float64).alias("p_alive"))
    )


def design(features: pl.DataFrame, themes: list[str]) -> pl.DataFrame:
    """The model's numeric inputs (one column per feature) next to the raw columns."""
    cols = [
        pl.col("recency_days").cast(pl.Float64),
        (pl.col("purchase_days") - 1).cast(pl.Float64).log1p().alias("repeat_purchase_days"),
        pl.col("tenure_days").cast(pl.Float64).log1p().alias("tenure_days"),
        (pl.col("total_value") / pl.col("purchase_days"))
        .cast(pl.Float64)
        .clip(lower_bound=0)
        .log1p()
        .alias("avg_day_value"),
        pl.col("p_alive").cast(pl.Float64),
        (pl.col("last_nps_category") == "detractor")
        .fill_null(False)
        .cast(pl.Float64)
        .alias("last_nps_detractor"),
        (pl.col("last_nps_category") == "promoter")
        .fill_null(False)
        .cast(pl.Float64)
        .alias("last_nps_promoter"),
        (-pl.col("last_text_compound").cast(pl.Float64))
        .fill_null(0.0)
        .alias("last_text_negativity"),
        *[
            pl.col(c).cast(pl.Float64).log1p().alias(c)
            for c in [
                "negative_texts_365d",
                "tickets_365d",
                "slow_reply_tickets_365d",
                "unsatisfied_csat_365d",
            ]
        ],
        *[
            pl.col("negative_themes_365d").list.contains(t).cast(pl.Float64).alias(THEME_PREFIX + t)
            for t in themes
        ],
    ]
    x = features.select(cols)
    raw = features.rename({c: f"raw_{c}" for c in x.columns if c in features.columns})
    return raw.hstack(x)


def common_themes(train: pl.DataFrame) -> list[str]:
    """The negative themes at least MIN_THEME_CUSTOMERS customers of the train cutoff mention,
    most mentioned first (ties by name), at most MAX_THEMES."""
    counts = (
        train.select(pl.col("negative_themes_365d").explode().alias("theme"))
        .drop_nulls()
        .group_by("theme")
        .len()
        .filter(pl.col("len") >= MIN_THEME_CUSTOMERS)
        .sort(["len", "theme"], descending=[True, False])
    )
    return counts["theme"].head(MAX_THEMES).to_list()


def fit(method: str, frame: pl.DataFrame, candidates: list[str]) -> FittedModel:
    """Logistic regression of ``churned`` on the candidate features that vary in ``frame``
    (standardised with its mean and standard deviation; L2 penalty C=1, lbfgs)."""
    usable = [
        c for c in candidates if frame[c].null_count() == 0 and float(frame[c].std() or 0.0) > 1e-12
    ]
    if not usable:
        raise NotEnoughHistory("no feature varies among the customers")
    x = frame.select(usable).to_numpy().astype(float)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    y = frame["churned"].to_numpy().astype(int)
    lr = LogisticRegression(C=1.0, max_iter=2000, tol=1e-10)
    lr.fit((x - mean) / sd, y)
    return FittedModel(method, usable, mean, sd, lr.coef_[0].copy(), float(lr.intercept_[0]))


def top_share_lift(score: np.ndarray, y: np.ndarray, share: float = LIFT_SHARE) -> float | None:
    """Churn rate among the ``share`` of customers with the highest scores over the overall
    churn rate. Customers tied at the boundary enter in proportion (the expected value over
    random tie-breaking), so a yes/no rule gets no credit for an arbitrary order."""
    n = len(y)
    base = float(np.mean(y)) if n else 0.0
    if n == 0 or base == 0.0:
        return None
    k = share * n
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    taken, churners = 0.0, 0.0
    i = 0
    while i < n and taken < k:
        j = i
        while j < n and s[j] == s[i]:
            j += 1
        group = j - i
        use = min(group, k - taken)
        churners += use * float(np.mean(yy[i:j]))
        taken += use
        i = j
    return (churners / taken) / base


def delong(y: np.ndarray, scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """AUCs of several scores of the same customers and their covariance matrix (DeLong,
    DeLong & Clarke-Pearson 1988, with midranks as in Sun & Xu 2014)."""
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    v10, v01, aucs = [], [], []
    for s in scores:
        combined = rankdata(s)
        rx, ry = rankdata(s[pos]), rankdata(s[neg])
        v10.append((combined[pos] - rx) / n)
        v01.append(1.0 - (combined[neg] - ry) / m)
        aucs.append(float(v10[-1].mean()))
    s10 = np.atleast_2d(np.cov(np.array(v10)))
    s01 = np.atleast_2d(np.cov(np.array(v01)))
    return np.array(aucs), s10 / m + s01 / n


def interval(estimate: float, variance: float) -> tuple[float, float]:
    se = math.sqrt(max(variance, 0.0))
    return estimate - 1.96 * se, estimate + 1.96 * se


def judge(method: str, score: np.ndarray, y: np.ndarray, probabilities: bool) -> dict:
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    auc = low = high = None
    if n_pos > 1 and n_neg > 1:
        auc = float(roc_auc_score(y, score))
        _, cov = delong(y, [score])
        low, high = interval(auc, cov[0, 0])
        low, high = max(0.0, low), min(1.0, high)
    return {
        "method": method,
        "method_label": METHOD_LABELS[method],
        "customers": len(y),
        "churners": n_pos,
        "churn_rate": n_pos / len(y) if len(y) else None,
        "auc": auc,
        "auc_ci_low": low,
        "auc_ci_high": high,
        "top_decile_lift": top_share_lift(score, y),
        "brier_score": float(np.mean((score - y) ** 2)) if probabilities else None,
    }


def calibration(method: str, prob: np.ndarray, y: np.ndarray) -> list[dict]:
    bins = np.minimum((prob * BINS).astype(int), BINS - 1)
    rows = []
    for b in range(BINS):
        m = bins == b
        if m.any():
            rows.append(
                {
                    "method": method,
                    "bin": b,
                    "predicted_low": b / BINS,
                    "predicted_high": (b + 1) / BINS,
                    "customers": int(m.sum()),
                    "mean_predicted": float(prob[m].mean()),
                    "observed_rate": float(y[m].mean()),
                }
            )
    return rows


# the yearly counts as reasons: (sentence, noun counted)
COUNT_REASONS = {
    "negative_texts_365d": ("{k} negative {noun} in the last year", "message"),
    "tickets_365d": ("{k} support {noun} in the last year", "ticket"),
    "slow_reply_tickets_365d": ("waited long for a first reply ({k} {noun})", "ticket"),
    "unsatisfied_csat_365d": ("rated support unsatisfactory ({k} {noun})", "time"),
}


def theme_words(theme: str, labels: dict[str, str]) -> str:
    """A theme as words after "complained about": its label from config/themes.yaml."""
    label = labels.get(theme) or theme.replace("_", " ")
    return label[:1].lower() + label[1:]


def reason_text(feature: str, row: dict, labels: dict[str, str] | None = None) -> str | None:
    """The customer's value of a feature that raises their risk, in plain words; None for the
    absence of something (not promoting is no reason to call) and for how long they have been a
    customer (nothing to act on)."""
    n = row
    if feature == "recency_days":
        return f"no purchase for {n['raw_recency_days']} days"
    if feature == "repeat_purchase_days":
        k = n["purchase_days"]
        return f"only {k} purchase day{'s' if k != 1 else ''} so far"
    if feature == "avg_day_value":
        return "spends little per visit"
    if feature == "p_alive" and n["raw_p_alive"] is not None:
        return f"buying pattern suggests they may have stopped (P(alive) {n['raw_p_alive']:.0%})"
    if feature == "last_nps_detractor" and n["last_nps_category"] == "detractor":
        return f"last NPS answer {n['last_nps_score']} (detractor)"
    if feature == "last_text_negativity" and (n["last_text_compound"] or 0) < 0:
        return "their last message sounded negative"
    if feature in COUNT_REASONS and n[f"raw_{feature}"]:
        k = n[f"raw_{feature}"]
        template, noun = COUNT_REASONS[feature]
        return template.format(k=k, noun=noun + ("s" if k != 1 else ""))
    if feature.startswith(THEME_PREFIX) and feature[len(THEME_PREFIX) :] in (
        n["negative_themes_365d"] or []
    ):
        return f"complained about {theme_words(feature[len(THEME_PREFIX) :], labels or {})}"
    return None


def reasons(
    model: FittedModel, frame: pl.DataFrame, labels: dict[str, str], k: int = 3
) -> list[list[str]]:
    """Per row, the (up to) k features that raise the risk most above an average customer's
    (contribution = coefficient x standardised value, positive only), in plain words."""
    contrib = model.z(frame) * model.coef
    out = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        texts = []
        for j in np.argsort(-contrib[i], kind="stable"):
            if contrib[i, j] <= 0.05 or len(texts) == k:
                break
            text = reason_text(model.features[j], row, labels)
            if text:
                texts.append(text)
        out.append(texts)
    return out


# what customers said, as yes/no signals on the raw features: (signal, label, feature, test)
SIGNALS = [
    (
        "slow_reply",
        "Waited long for a first reply",
        "slow_reply_tickets_365d",
        pl.col("raw_slow_reply_tickets_365d") > 0,
    ),
    (
        "unsatisfied_csat",
        "Rated support unsatisfactory",
        "unsatisfied_csat_365d",
        pl.col("raw_unsatisfied_csat_365d") > 0,
    ),
    (
        "nps_detractor",
        "Last NPS answer a detractor",
        "last_nps_detractor",
        pl.col("last_nps_category") == "detractor",
    ),
    (
        "negative_last_message",
        "Last message sounded negative",
        "last_text_negativity",
        pl.col("last_text_sentiment") == "negative",
    ),
]


def risk_ratio(a: int, n1: int, c: int, n0: int) -> tuple[float | None, float | None, float | None]:
    """Risk ratio (a/n1)/(c/n0) with its 95% interval by the Katz log method; None where a
    count is 0."""
    if not (a and c and n1 and n0):
        return None, None, None
    rr = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rr, rr * math.exp(-1.96 * se), rr * math.exp(1.96 * se)


def voice_signals(
    test: pl.DataFrame, model: FittedModel, themes: list[str], labels: dict[str, str]
) -> list[dict]:
    """Each signal's churn rate with and without it on the held-out customers, and the adjusted
    odds ratio of its feature in the regression fitted on the train cutoff."""
    y = test["churned"].cast(pl.Int64)
    overall = float(y.mean() or 0.0)
    signals = SIGNALS + [
        (
            THEME_PREFIX + t,
            f"Complained about {theme_words(t, labels)}",
            THEME_PREFIX + t,
            pl.col("negative_themes_365d").list.contains(t),
        )
        for t in themes
    ]
    odds = {f: math.exp(c) for f, c in zip(model.features, model.coef, strict=True)}
    rows = []
    for signal, label, feature, test_expr in signals:
        has = test.select(test_expr.fill_null(False)).to_series()
        n1, n0 = int(has.sum()), int((~has).sum())
        if n1 == 0:
            continue
        a, c = int(y.filter(has).sum()), int(y.filter(~has).sum())
        rr, low, high = risk_ratio(a, n1, c, n0)
        rows.append(
            {
                "signal": signal,
                "signal_label": label,
                "customers": test.height,
                "customers_with": n1,
                "churn_rate_with": a / n1,
                "churn_rate_without": c / n0 if n0 else None,
                "lift": (a / n1) / overall if overall else None,
                "risk_ratio": rr,
                "risk_ratio_ci_low": low,
                "risk_ratio_ci_high": high,
                "model_feature": feature,
                "odds_ratio_per_sd": odds.get(feature),
            }
        )
    return rows


def input_hash(features: pl.DataFrame, theme_labels: dict[str, str] | None = None) -> str:
    """Digest of what ``run`` depends on: the features (in any row order, theme lists in any
    order), the theme labels its reasons quote and MODEL_VERSION. Same digest, same results."""
    themes = pl.col("negative_themes_365d").cast(pl.List(pl.String)).list.sort().list.join("|")
    rows = features.with_columns(themes).sort(["split", "customer_key"])
    h = hashlib.sha256(f"{MODEL_VERSION}|{sorted(rows.columns)}".encode())
    for row in rows.select(sorted(rows.columns)).iter_rows():
        h.update(repr(row).encode())
    h.update(repr(sorted((theme_labels or {}).items())).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class ChurnResult:
    evaluation: list[dict]
    calibration: list[dict]
    coefficients: list[dict]
    scores: list[dict]
    signals: list[dict]


def run(
    features: pl.DataFrame,
    fitted_at: dt.datetime,
    theme_labels: dict[str, str] | None = None,
    digest: str | None = None,
) -> ChurnResult:
    """Fit, judge and score. ``theme_labels``: theme -> label, for the words of the reasons;
    ``digest``: their input_hash when the caller has it already.
    Raises NotEnoughHistory when the split has too few customers or outcomes of either kind."""
    labels = theme_labels or {}
    digest = digest or input_hash(features, labels)
    features = with_p_alive(features.sort(["split", "customer_key"]))
    pop = features.filter(pl.col("in_population"))
    train0, test0, score0 = (pop.filter(pl.col("split") == s) for s in ("train", "test", "score"))
    for name, part in (("train", train0), ("test", test0)):
        churners = int(part["churned"].sum() or 0)
        if part.height < MIN_CUSTOMERS or min(churners, part.height - churners) < MIN_EACH:
            raise NotEnoughHistory(
                f"the {name} cutoff has {part.height} active customers, {churners} of whom "
                f"churned: at least {MIN_CUSTOMERS} and {MIN_EACH} of each outcome are needed"
            )
    themes = common_themes(train0)
    train, test, score = (design(p, themes) for p in (train0, test0, score0))
    voice = VOICE_FEATURES + [THEME_PREFIX + t for t in themes]
    purchase = [
        c for c in PURCHASE_FEATURES if train["p_alive"].null_count() == 0 or c != "p_alive"
    ]
    candidates = {"voice_and_purchases": purchase + voice, "purchases_only": purchase}

    y = test["churned"].to_numpy().astype(int)
    evaluation, calib, judged_scores, fitted = [], [], {}, {}
    for method, cands in candidates.items():
        model = fitted[method] = fit(method, train, cands)
        prob = model.predict(test)
        row = judge(method, prob, y, probabilities=True)
        row["voice_features"] = sum(f not in PURCHASE_FEATURES for f in model.features)
        row["features"] = ", ".join(model.features)
        evaluation.append(row)
        calib += calibration(method, prob, y)
        judged_scores[method] = prob
    if test["raw_p_alive"].null_count() == 0:
        prob = 1.0 - test["raw_p_alive"].to_numpy().astype(float)
        row = judge("p_alive", prob, y, probabilities=True)
        evaluation.append(row | {"voice_features": 0, "features": "p_alive"})
        calib += calibration("p_alive", prob, y)
        judged_scores["p_alive"] = prob
    rule = test["is_inactive"].fill_null(False).cast(pl.Float64).to_numpy()
    evaluation.append(
        judge("inactivity_rule", rule, y, probabilities=True)
        | {"voice_features": 0, "features": "recency_days > inactivity_threshold_days"}
    )
    calib += calibration("inactivity_rule", rule, y)
    judged_scores["inactivity_rule"] = rule
    # each method against the purchases-only regression, on the same customers (DeLong)
    methods = [r["method"] for r in evaluation]
    ref = methods.index("purchases_only")
    aucs, cov = delong(y, [judged_scores[m] for m in methods])
    for i, row in enumerate(evaluation):
        gain = aucs[i] - aucs[ref]
        low, high = interval(gain, cov[i, i] + cov[ref, ref] - 2 * cov[i, ref])
        row |= {"auc_gain": gain, "auc_gain_ci_low": low, "auc_gain_ci_high": high}
        if i == ref:
            row |= {"auc_gain": 0.0, "auc_gain_ci_low": None, "auc_gain_ci_high": None}
    common = {
        "train_cutoff": train0["cutoff_date"][0],
        "test_cutoff": test0["cutoff_date"][0],
        "horizon_days": int(test0["horizon_days"][0]),
        "train_customers": train.height,
        "fitted_at": fitted_at,
        "input_hash": digest,
    }
    evaluation = [r | common for r in evaluation]

    # today's scores: the same regressions refitted on the latest labelled cutoff
    final = {m: fit(m, test, c) for m, c in candidates.items()}
    coefficients = [
        {
            "method": m,
            "feature": f,
            "is_voice": f not in PURCHASE_FEATURES,
            "coefficient": float(c),
            "odds_ratio_per_sd": math.exp(float(c)),
            "feature_mean": float(mu),
            "feature_sd": float(sd),
        }
        for m, model in final.items()
        for f, c, mu, sd in zip(model.features, model.coef, model.mean, model.sd, strict=True)
    ]
    scores = []
    if score.height:
        risk = final["voice_and_purchases"].predict(score)
        base = final["purchases_only"].predict(score)
        why = reasons(final["voice_and_purchases"], score, labels)
        for row, r, b, w in zip(score.iter_rows(named=True), risk, base, why, strict=True):
            scores.append(
                {
                    "customer_key": row["customer_key"],
                    "cutoff_date": row["cutoff_date"],
                    "horizon_days": row["horizon_days"],
                    "churn_risk": float(r),
                    "purchases_only_risk": float(b),
                    "p_alive": row["raw_p_alive"],
                    **{f"reason_{i + 1}": (w[i] if i < len(w) else None) for i in range(3)},
                }
            )
    signals = voice_signals(test, fitted["voice_and_purchases"], themes, labels)
    return ChurnResult(evaluation, calib, coefficients, scores, signals)
