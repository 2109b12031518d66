"""Phrase banks for the demo's survey comments and ticket texts.

Each bank is keyed by a theme; texts are built from several templates, a vocabulary and
occasional typos so that theme matching and sentiment scoring have real work to do.
"""

from __future__ import annotations

import numpy as np

ITEMS = [
    "croissant",
    "sourdough",
    "flat white",
    "latte",
    "cinnamon bun",
    "baguette",
    "cake",
    "sandwich",
    "cappuccino",
    "rye loaf",
    "brownie",
    "tea",
    "quiche",
]
STAFF = [
    "the barista",
    "the girl at the till",
    "the new guy",
    "the staff",
    "the manager",
    "the team",
    "everyone behind the counter",
]

POSITIVE = {
    "felt_valued": [
        "{staff} remembered my name and my usual {item}, I feel like a regular",
        "They always make me feel welcome, like family",
        "Got a free {item} on my birthday, such a nice touch",
        "Love that they know my order before I say it",
    ],
    "staff_friendliness": [
        "{staff} was so friendly and patient with my kids",
        "Super friendly service every single time",
        "Warm smiles and quick chat, {staff} is lovely",
        "Really kind people working here",
    ],
    "product_quality": [
        "Best {item} in town, fresh and still warm",
        "The {item} is amazing, perfectly baked",
        "Great {item}, you can taste the quality",
        "Delicious {item} as always",
    ],
    "listened_to": [
        "I mentioned oat milk once and now they always ask, they really listen",
        "{staff} took my feedback seriously and fixed it right away",
        "They listened to my suggestion about gluten free options, thank you",
    ],
    "cleanliness": [
        "Spotless tables and a cosy room",
        "Always clean and tidy, nice place to sit",
    ],
}
NEUTRAL = [
    "Ok {item}, nothing special",
    "Fine, usual visit",
    "Came for a {item}",
    "Average, it was alright",
    "Busy morning",
    "no comment",
]
NEGATIVE = {
    "waiting_time": [
        "Waited {n} minutes for a {item}, way too slow",
        "Queue was out the door and only one till open",
        "My order took forever again",
        "{n} minutes for a coffee is not acceptable",
        "Still waiting on my online order after {n} minutes",
    ],
    "price": [
        "Too expensive for what you get, {item} went up again",
        "Prices keep going up, {price} for a {item} is a lot",
        "Overpriced, I can get a {item} cheaper elsewhere",
    ],
    "order_accuracy": [
        "Got the wrong {item}, and the order was missing a {item2}",
        "Order was wrong again, asked for {item} and got {item2}",
        "They forgot half of my order",
    ],
    "product_quality": [
        "The {item} was stale and dry",
        "{item} tasted burnt today",
        "Cold {item} and a lukewarm {item2}",
    ],
    "staff_friendliness": [
        "{staff} was rude and ignored me",
        "Unfriendly service, nobody said hello",
        "{staff} rolled their eyes when I asked a question",
    ],
    "listened_to": [
        "I complained about the {item} and nobody listened",
        "Told them twice about my allergy and they did not care",
        "Feels like they do not listen to regulars anymore",
    ],
    "cleanliness": [
        "Tables were dirty and the bin was overflowing",
        "Floor was sticky, toilets not clean",
    ],
}
TICKET_SUBJECTS = {
    "waiting_time": ["Late order", "Long wait", "Online order delayed", "Still waiting"],
    "order_accuracy": ["Wrong order", "Missing item", "Incorrect order"],
    "price": ["Charged twice", "Price question", "Refund request"],
    "product_quality": ["Quality complaint", "Stale bread", "Food issue"],
    "staff_friendliness": ["Complaint about staff", "Rude service"],
    "listened_to": ["Nobody got back to me", "Follow-up on complaint"],
    "cleanliness": ["Hygiene issue"],
    "other": ["Question about catering", "Gift card balance", "Opening hours", "Allergen info"],
}
TICKET_BODIES = {
    "waiting_time": [
        "My order was late again, waited {n} minutes at the counter.",
        "Still waiting for the delivery I placed {n} minutes ago.",
        "{n} minutes on hold on the phone before anyone answered.",
    ],
    "order_accuracy": [
        "I ordered a {item} and got a {item2}. Second time this month.",
        "My catering order was missing two {item}s.",
    ],
    "price": [
        "I was charged twice for one {item}, please refund.",
        "Still waiting for the refund for my cancelled order.",
    ],
    "product_quality": [
        "The {item} I bought yesterday was mouldy inside.",
        "The {item} was stale when I got home.",
    ],
    "staff_friendliness": [
        "{staff} at the till was rude to my mother.",
        "Nobody greeted us and {staff} was on the phone the whole time.",
    ],
    "listened_to": [
        "I wrote last week about my complaint and nobody answered.",
        "This is my third message about the same problem.",
    ],
    "cleanliness": ["The tables and floor were dirty when we visited."],
    "other": [
        "Can you do a catering order of {n} {item}s for Friday?",
        "What is the balance on my gift card?",
        "Do you have allergen information for the {item}?",
        "Are you open on the bank holiday?",
    ],
}
CSAT_GOOD = [
    "Thanks, quick answer",
    "Sorted out fast, thank you",
    "Very helpful",
    "Great service",
    "Problem solved, appreciated",
]
CSAT_BAD = [
    "Took days to get a reply",
    "Nobody really helped",
    "Still not resolved",
    "Answer did not help at all",
    "Slow and unhelpful",
]
EMPLOYEE_COMMENTS_GOOD = [
    "Great team",
    "Manager supports us",
    "I like working here",
    "Good shifts this month",
    "",
]
EMPLOYEE_COMMENTS_BAD = [
    "Too few people on shift",
    "Nobody listens to our ideas",
    "Workload is too high",
    "Schedule changes last minute",
    "",
]


def typo(text: str, rng: np.random.Generator, rate: float = 0.08) -> str:
    """Swap two adjacent letters in some words, as people do on phones."""
    words = text.split(" ")
    for i, w in enumerate(words):
        if len(w) > 3 and rng.random() < rate:
            j = int(rng.integers(0, len(w) - 1))
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def fill(template: str, rng: np.random.Generator) -> str:
    item, item2 = rng.choice(ITEMS, 2, replace=False)
    return template.format(
        item=item,
        item2=item2,
        staff=STAFF[int(rng.integers(len(STAFF)))],
        n=int(rng.integers(12, 55)),
        price=f"£{rng.uniform(3, 9):.2f}",
    )


def pick(bank: dict[str, list[str]], rng: np.random.Generator, theme: str | None = None) -> str:
    theme = theme or list(bank)[int(rng.integers(len(bank)))]
    templates = bank[theme]
    text = fill(templates[int(rng.integers(len(templates)))], rng)
    return typo(text, rng)


def nps_comment(score: int, rng: np.random.Generator, wait_share: float) -> str:
    """A verbatim comment that fits the score; ``wait_share`` raises waiting-time complaints."""
    if rng.random() < 0.25:
        return ""
    if score >= 9:
        return pick(POSITIVE, rng)
    if score >= 7:
        return typo(fill(NEUTRAL[int(rng.integers(len(NEUTRAL)))], rng), rng)
    theme = "waiting_time" if rng.random() < wait_share else None
    return pick(NEGATIVE, rng, theme)


# The planted journey hotspot (generator.plant_support_effort): the card machine at one store.
CARD_MACHINE = [
    "The card machine charged me twice and I have had to email three times to get it sorted.",
    "Still waiting for the refund for the double charge, nobody has called me back.",
    "Your card reader took my payment twice. I was told it was fixed but it happened again.",
    "I keep having to explain the double payment to a different person every time I call.",
    "Charged twice for one coffee. Took four emails and it is still not resolved.",
]
