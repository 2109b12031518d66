"""Every page at 390 px, as a phone shows it (device emulation through the DevTools protocol,
not a resized window): no chart, legend or table is wider than the card that holds it, and
nothing makes the page scroll sideways (issue 18)."""

from pathlib import Path

import pytest

from reports.pages import PAGES as REPORT_PAGES
from tests.reports.cdp import evaluate_pages

PAGES = tuple(p.file.removesuffix(".html") for p in REPORT_PAGES)

# Every element that sticks out of its card (a section or a tile), or a chart legend outside
# its chart, with how far; and the page's own width.
OVERFLOW = """
(() => {
  const out = [];
  const card = el => el.closest('section, .tile, .missing') || document.body;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && el.className.baseVal === undefined ? '.' + el.className : '');
  document.querySelectorAll('table, div.chart, .tile, section').forEach(el => {
    const c = el.matches('section, .tile') ? el.parentElement : card(el);
    const r = el.getBoundingClientRect(), cr = c.getBoundingClientRect();
    if (r.width > 0 && r.right > cr.right + 1) out.push([name(el), Math.round(r.right - cr.right)]);
    if (el.matches('section') && el.scrollWidth > el.clientWidth + 1)
      out.push([name(el) + ' scrolls', el.scrollWidth - el.clientWidth]);
  });
  document.querySelectorAll('div.chart').forEach(ch => {
    const svg = ch.querySelector('svg.main-svg');
    const legend = ch.querySelector('g.legend');
    if (!svg || !legend) return;
    const s = svg.getBoundingClientRect(), l = legend.getBoundingClientRect();
    if (l.bottom > s.bottom + 1 || l.right > s.right + 1 || l.top < s.top - 1)
      out.push(['legend of ' + ch.id, Math.round(Math.max(l.bottom - s.bottom, l.right - s.right, s.top - l.top))]);
  });
  return {overflow: out, page_width: document.documentElement.scrollWidth,
          charts: document.querySelectorAll('div.chart[data-rendered]').length};
})()
"""


@pytest.fixture(scope="module")
def measured(published_home):
    urls = [Path(published_home.site / f"{p}.html").resolve().as_uri() for p in PAGES]
    return dict(zip(PAGES, evaluate_pages(urls, 390, OVERFLOW), strict=True))


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_wider_than_its_card_on_a_phone(measured, page):
    m = measured[page]
    assert m["page_width"] <= 390, m
    assert m["overflow"] == [], m["overflow"]


def test_the_charts_were_drawn_on_the_phone(measured):
    assert sum(m["charts"] for m in measured.values()) >= 10
