"""The churn comparison's sentence on the Customers page says what the numbers say."""

import datetime as dt

from reports.pages.customers import churn_verdict

VOICE = {
    "method": "voice_and_purchases",
    "auc": 0.81,
    "horizon_days": 90,
    "customers": 1268,
    "test_cutoff": dt.date(2026, 8, 2),
    "churners": 713,
    "voice_features": 9,
    "auc_gain": 0.03,
    "auc_gain_ci_low": 0.012,
    "auc_gain_ci_high": 0.048,
    "compared_with_purchases_only": "better",
}
BASE = VOICE | {"method": "purchases_only", "auc": 0.78, "voice_features": 0}


def test_better_only_when_the_interval_says_so():
    text = churn_verdict([VOICE, BASE])
    assert text.startswith("Tested on 1,268 customers as they stood on 02 Aug 2026, 713 of whom")
    assert "AUC of 0.81 against 0.78 from purchases alone" in text
    assert "ranks them better (+0.030, 95% interval +0.012 to +0.048 in AUC)" in text
    unclear = VOICE | {
        "auc_gain_ci_low": -0.01,
        "compared_with_purchases_only": "no clear difference",
    }
    assert "makes no clear difference" in churn_verdict([unclear, BASE])
    worse = VOICE | {"auc_gain": -0.03, "compared_with_purchases_only": "worse"}
    assert "ranks them worse here" in churn_verdict([worse, BASE])


def test_nothing_said_nothing_claimed():
    text = churn_verdict([VOICE | {"voice_features": 0, "auc": 0.78}, BASE])
    assert "There is nothing from what customers say to add yet" in text
    assert "better" not in text
    assert churn_verdict([]) is None
