"""The report's pages, in one registry: each page's file, title, subtitle, template, the
exports it needs and the function that builds its content. A new page is a module here and
one entry below; the navigation, the "missing export" pages and the render loop read this
list and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports.context import ReportContext
from reports.pages import customers, journey, overview, quality, support, team, voice


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    subtitle: str
    template: str  # templates/<template>.html.j2
    needs: tuple[str, ...]  # the exports it shows (any one is enough); () = always shown
    build: Callable[[ReportContext], dict[str, Any]]


PAGES = [
    Page(
        "index.html",
        "Overview",
        "The last complete month, compared with the month before and a year earlier",
        "index",
        (),
        overview.build,
    ),
    Page(
        "customers.html",
        "Customers",
        "Who is valuable, who is slipping away, and are we keeping the people we win?",
        "customers",
        ("pos_transactions",),
        customers.build,
    ),
    Page(
        "voice.html",
        "Voice of the customer",
        "What customers say, how they feel, and who is waiting for an answer",
        "page",
        ("nps_responses", "support_tickets"),
        voice.build,
    ),
    Page(
        "journey.html",
        "Journey",
        "How each step with you feels to customers, and where it got worse",
        "page",
        ("online_reviews", "nps_responses", "support_tickets"),
        journey.build,
    ),
    Page(
        "support.html",
        "Support",
        "How fast and how well we answer: every ticket loaded so far",
        "page",
        ("support_tickets",),
        support.build,
    ),
    Page(
        "team.html",
        "Team",
        "Do the people who serve customers feel understood, and does it show?",
        "page",
        ("hr_employees", "hr_engagement_responses"),
        team.build,
    ),
    Page(
        "quality.html",
        "Data quality",
        "What was loaded, what was rejected and why, and every check",
        "page",
        (),
        quality.build,
    ),
]
