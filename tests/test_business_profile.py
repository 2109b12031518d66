"""The business profile (config/business.yaml): defaults, lists learned or named, and errors
that name the file and the entry."""

import datetime as dt

import pytest

from dagster_project.business_profile import ProfileError, display_name, parse_profile
from tests.conftest import ROOT


def test_no_profile_file_means_the_defaults(tmp_path):
    p = parse_profile(tmp_path / "none.yaml")
    assert (p.currency_symbol, p.timezone, p.day_order) == ("£", "UTC", "DMY")
    assert p.earliest_date == dt.date(1900, 1, 1)
    assert p.stores == p.roles == p.product_categories == {}


def test_lists_may_be_ids_or_ids_with_names(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text(
        "currency: usd\nlocale: en_US\nopening_date: 1988-04-01\n"
        "stores: {main_st: Main Street, annex: {name: The Annex}}\nroles: [head_chef, server]\n"
    )
    p = parse_profile(f)
    assert p.stores == {"main_st": "Main Street", "annex": "The Annex"}
    assert p.roles == {"head_chef": "Head Chef", "server": "Server"}
    assert (p.currency_symbol, p.day_order, p.earliest_date) == ("$", "MDY", dt.date(1988, 4, 1))
    assert display_name("market_square") == "Market Square"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("timezone: Mars/Olympus\n", "timezone"),
        ("fiscal_year_start_month: 13\n", "fiscal_year_start_month"),
        ("opening_date: last spring\n", "opening_date"),
        ("currency: pounds\n", "currency"),
        ("store: [a]\n", "unknown entries ['store']"),
        ("stores: 5\n", "stores"),
        ("- a\n- b\n", "mapping"),
    ],
)
def test_a_broken_profile_names_the_file_and_the_entry(tmp_path, text, words):
    f = tmp_path / "business.yaml"
    f.write_text(text)
    with pytest.raises(ProfileError) as err:
        parse_profile(f)
    assert str(f) in str(err.value) and words in str(err.value)


def test_the_shipped_profile_describes_the_demo(tmp_path):
    p = parse_profile(ROOT / "config" / "business.yaml")
    assert set(p.stores) == {"downtown", "riverside", "market_square"}
    assert p.fiscal_year_start_month == 4 and p.currency == "GBP"
    assert p.agents == {"E0040": "Lea", "E0041": "Raj", "E0042": "Tom"}
