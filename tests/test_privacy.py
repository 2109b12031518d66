"""Personal data (columns marked `classification: personal` in the contracts) stays in raw and
in the owner-facing follow-up lists: a scan of every other table and of every site page."""

import re

import pytest

E_MAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
PHONE = r"(\+\d{1,3}[ .-]?)?(\(\d{2,5}\)|\d{2,5})[ .-]\d{3,4}[ .-]?\d{3,4}"
# the documented exceptions: the owner's follow-up lists (marts) and their tables on the site
FOLLOW_UP_LISTS = {"rpt_customers_at_risk", "rpt_follow_up"}


@pytest.fixture(scope="module", params=["demo", "vendor exports"])
def home(request, published_home):
    """The demo as generated, and a copy that also loaded a file of every vendor format
    (Shopify names customers by e-mail, Zendesk by requester e-mail, HubSpot has phones)."""
    if request.param == "demo":
        return published_home
    return request.getfixturevalue("vendor_homes")[0]


def test_personal_columns_of_the_contracts_appear_only_in_raw_and_the_follow_up_lists(
    home, contracts
):
    personal = {c for contract in contracts.values() for c in contract.personal_columns}
    assert {"email", "phone", "first_name", "last_name", "requester_email"} <= personal
    cols = home.query(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema NOT IN ('raw', 'analysis')"
    )
    found = {(s, t) for s, t, c in cols if c in personal | {"customer_name"}}
    assert {t for _, t in found} == FOLLOW_UP_LISTS
    assert {s for s, _ in found} == {"marts"}


def test_no_e_mail_or_phone_number_in_any_value_outside_raw(home):
    """Every text value of every staging view, intermediate view and mart, including free
    texts (customers type their e-mail into comments)."""
    cols = home.query(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN ('staging', 'intermediate', 'marts') "
        "AND data_type = 'VARCHAR'"
    )
    scanned, hits = 0, []
    for schema, table, column in cols:
        if table in FOLLOW_UP_LISTS and column in ("email", "phone", "customer_name"):
            continue
        (n,) = home.query(
            f'SELECT count(*) FROM {schema}."{table}" '
            f"WHERE regexp_matches(\"{column}\", '{E_MAIL}') "
            f"OR regexp_matches(\"{column}\", '{PHONE}')"
        )[0]
        scanned += 1
        if n:
            hits.append((schema, table, column, n))
    assert scanned > 100 and not hits
    # the scan can see: raw holds e-mails and phones in the same patterns
    assert home.query(
        f"SELECT count(*) > 0 FROM raw.crm_customers WHERE regexp_matches(email, '{E_MAIL}') "
        f"AND regexp_matches(phone, '{PHONE}')"
    ) == [(True,)]


def test_no_e_mail_or_phone_number_on_any_page_outside_the_follow_up_tables(home):
    """Chart data included (it is inline JSON); a phone here is digits in groups separated by a
    space or a dash, not part of a longer number."""
    phone = re.compile(r"(?<![\w.])" + PHONE.replace("[ .-]", "[ -]") + r"(?![\w.])")
    pages = sorted(home.site.glob("*.html"))
    assert len(pages) == 7
    personal = []
    for page in pages:
        html = page.read_text()
        personal += re.findall(r'<table class="personal">.*?</table>', html, flags=re.S)
        public = re.sub(r'<table class="personal">.*?</table>', "", html, flags=re.S)
        assert not re.search(E_MAIL, public), (page.name, re.search(E_MAIL, public)[0])
        assert not phone.search(public), (page.name, phone.search(public)[0])
    assert len(personal) == 2  # at-risk customers, customers waiting for a call back
    assert all(re.search(E_MAIL, t) and phone.search(t) for t in personal)  # the scan can see
