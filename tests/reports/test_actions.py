"""The Overview's "This week" list on hand-made figures: most urgent first, and only moves the
data supports (enough texts, answers not withheld)."""

import datetime as dt

from reports.actions import this_week

OCT, SEP = dt.date(2026, 10, 1), dt.date(2026, 9, 1)


def theme(t, month, share, texts=100):
    return {
        "theme": t,
        "label": t.title(),
        "month": month,
        "share_of_texts_pct": share,
        "texts": texts,
    }


def team(store, month, index):
    return {"store_name": store, "month": month, "engagement_index": index}


def test_actions_in_order_of_urgency_with_their_links():
    actions = this_week(
        {"waiting": 7, "avg_days_waiting": 12.0},
        {"high_value_at_risk": 3},
        [
            theme("waiting", SEP, 10.0),
            theme("waiting", OCT, 18.0),
            theme("price", SEP, 5.0),
            theme("price", OCT, 11.0),
        ],
        [
            team("Harbour", SEP, 4.1),
            team("Harbour", OCT, 3.5),
            team("Mill", SEP, 4.0),
            team("Mill", OCT, 3.9),
        ],
        OCT,
        "£",
    )
    assert [a["href"].split("#")[0] for a in actions] == [
        "voice.html",
        "customers.html",
        "voice.html",
        "team.html",
    ]
    assert "7 customers" in actions[0]["text"] and "12 days" in actions[0]["text"]
    assert "\u201cWaiting\u201d" in actions[2]["text"] and "18%" in actions[2]["text"]
    assert "Harbour" in actions[3]["text"] and "4.10 to 3.50" in actions[3]["text"]


def test_nothing_to_do_says_nothing_and_thin_data_is_not_compared():
    assert this_week({"waiting": 0, "avg_days_waiting": None}, {}, [], [], OCT, "£") == []
    thin = [theme("waiting", SEP, 10.0, texts=5), theme("waiting", OCT, 40.0, texts=5)]
    withheld = [team("Harbour", SEP, None), team("Harbour", OCT, 2.0)]
    assert this_week(None, {"high_value_at_risk": 0}, thin, withheld, OCT, "£") == []
