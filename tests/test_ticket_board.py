"""The team board on a few thousand tickets: filters, search, pagination, CSV, and a fixed
number of queries however many tickets a page shows."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.extensions import db as _db
from gemba_walk.lean import OPEN_TICKET_STATUSES, TICKET_STATUSES, keys
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.web.tickets.board import CSV_COLUMNS
from tests.factories import AreaFactory, SiteFactory, UserFactory

TICKETS = 3000
CATEGORIES = ("sort", "shine", "waiting", "motion", "safety", "quality")


@pytest.fixture
def many(db, auth):
    """Two sites, four areas, three owners and 3,000 tickets in every status."""
    north, south = SiteFactory(name="North plant"), SiteFactory(name="South plant")
    owners = [UserFactory(role="member", name=f"Owner {i}") for i in range(3)]
    areas = [
        AreaFactory(site=north, code="N-1", name="Press line", owner=owners[0]),
        AreaFactory(site=north, code="N-2", name="Welding", owner=owners[1]),
        AreaFactory(site=south, code="S-1", name="Paint booth", owner=owners[2]),
        AreaFactory(site=south, code="S-2", name="Shipping", owner=None),
    ]
    statuses = keys(TICKET_STATUSES)
    today = date.today()
    opened = datetime(2026, 1, 1)
    rows = []
    for n in range(1, TICKETS + 1):
        rows.append(
            {
                "number": n,
                "area_id": areas[n % 4].id,
                "kind": "5s",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "title": f"Ticket {n}" + (" hydraulic oil leak" if n % 100 == 0 else ""),
                "problem": "Seen on the walk",
                "severity": ("low", "medium", "high", "critical")[n % 4],
                "priority": 1 + n % 4,
                "status": statuses[n % len(statuses)],
                "owner_id": owners[n % 3].id if n % 7 else None,
                "due_date": today + timedelta(days=(n % 20) - 10),
                "opened_at": opened + timedelta(minutes=n),
                "updated_at": opened + timedelta(minutes=n),
                "occurrences": 1 + n % 3,
                "recurred": n % 50 == 0,
            }
        )
    db.session.execute(sa.insert(KaizenTicket), rows)
    db.session.execute(
        sa.text("INSERT INTO counters (name, value) VALUES ('kaizen_ticket', :n)"), {"n": TICKETS}
    )
    db.session.commit()
    leader = auth.login_as("leader")
    return {"areas": areas, "owners": owners, "sites": (north, south), "leader": leader}


def count(*conditions) -> int:
    return _db.session.scalar(sa.select(sa.func.count(KaizenTicket.id)).where(*conditions))


def shown_numbers(html: str) -> list[str]:
    return re.findall(r'class="ticket-card__number">(KZ-\d+)<', html)


def total_of(html: str) -> int:
    return int(re.search(r'class="muted board-total" role="status">(\d+) ticket', html).group(1))


def column_numbers(html: str, status: str) -> list[str]:
    column = html.split(f'id="col-{status}"', 1)[1].split("</section>", 1)[0]
    return shown_numbers(column)


def test_each_column_pages_on_its_own_and_counts_its_own_total(client, many):
    """Every open column shows its first 20 cards whatever the others hold,
    the header counts the column's total, and "Show 20 more" adds 20 to that column only."""
    page = client.get("/tickets/").text
    assert total_of(page) == count(KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
    for status in ("open", "in_progress", "done", "reopened"):
        expected = count(KaizenTicket.status == status)
        assert re.search(rf'col-{status}">.*?aria-label="{expected} tickets"', page, re.S)
        assert len(column_numbers(page, status)) == 20
        assert f"20 of {expected} shown" in page
    more = re.search(r'href="([^"]*show_open=40[^"]*)"[^>]*>Show 20 more', page)
    assert more, "each column offers the next 20 of its own"
    second = client.get(more.group(1).replace("&amp;", "&")).text
    assert len(column_numbers(second, "open")) == 40
    assert column_numbers(second, "open")[:20] == column_numbers(page, "open")
    assert len(column_numbers(second, "done")) == 20  # the other columns stay as they were
    everything = client.get("/tickets/?status=open&show_open=1000").text
    assert len(column_numbers(everything, "open")) == count(KaizenTicket.status == "open")
    assert "Show 20 more" not in everything


@pytest.mark.parametrize(
    ("query", "condition"),
    [
        ("status=verified", lambda m: KaizenTicket.status == "verified"),
        ("status=all&category=shine", lambda m: KaizenTicket.category == "shine"),
        ("status=all&area={area}", lambda m: KaizenTicket.area_id == m["areas"][2].id),
        ("status=all&owner={owner}", lambda m: KaizenTicket.owner_id == m["owners"][1].id),
        (
            "status=all&site={site}",
            lambda m: KaizenTicket.area_id.in_([m["areas"][2].id, m["areas"][3].id]),
        ),
        (
            "overdue=1",
            lambda m: sa.and_(
                KaizenTicket.status.in_(("open", "in_progress", "reopened")),
                KaizenTicket.due_date < date.today(),
            ),
        ),
        ("status=all&q=hydraulic", lambda m: KaizenTicket.title.like("%hydraulic%")),
        ("status=all&q=KZ-0042", lambda m: KaizenTicket.number == 42),
    ],
)
def test_filters_and_search_find_exactly_the_matching_tickets(client, many, query, condition):
    url = "/tickets/?" + query.format(
        area=many["areas"][2].id, owner=many["owners"][1].id, site=many["sites"][1].id
    )
    page = client.get(url).text
    expected = count(condition(many))
    assert expected > 0
    assert total_of(page) == expected
    numbers = shown_numbers(page)
    shown_statuses = {m for m in re.findall(r'id="col-(\w+)"', page)}
    assert len(numbers) == sum(
        min(count(condition(many), KaizenTicket.status == s), 20) for s in shown_statuses
    )
    shown = _db.session.scalars(
        sa.select(KaizenTicket).where(KaizenTicket.number.in_([int(n[3:]) for n in numbers]))
    ).all()
    assert all(
        _db.session.scalar(
            sa.select(sa.func.count()).where(KaizenTicket.id == t.id, condition(many))
        )
        for t in shown
    )


def test_mine_shows_the_signed_in_owners_tickets(client, auth, many):
    owner = many["owners"][0]
    auth.logout()
    auth.login(owner.email)
    page = client.get("/tickets/?mine=1&status=all").text
    assert total_of(page) == count(KaizenTicket.owner_id == owner.id)


def test_sorting_by_due_date_puts_the_most_urgent_first(client, many):
    page = client.get("/tickets/?sort=due").text
    first = _db.session.scalar(
        sa.select(KaizenTicket).where(KaizenTicket.number == int(shown_numbers(page)[0][3:]))
    )
    earliest = _db.session.scalar(
        sa.select(sa.func.min(KaizenTicket.due_date)).where(
            KaizenTicket.status.in_(OPEN_TICKET_STATUSES)
        )
    )
    assert first.due_date == earliest


def test_the_csv_holds_every_filtered_ticket_and_opens_cleanly(client, db, many):
    special = db.session.get(KaizenTicket, 1)
    special.title = '=HYPERLINK("x") Öl-Leck an der Fräse — zweimal'
    special.status = "open"
    db.session.commit()
    response = client.get(f"/tickets/export.csv?status=all&area={many['areas'][1].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with the byte-order mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = rows[1:]
    assert len(body) == count(KaizenTicket.area_id == many["areas"][1].id)
    assert all(row[6] == "N-2" and row[5] == "North plant" for row in body)
    mine = next(row for row in body if row[0] == "KZ-0001")
    assert mine[1] == '\'=HYPERLINK("x") Öl-Leck an der Fräse — zweimal'  # no formula
    assert mine[2] == "Open"


def test_the_board_costs_the_same_queries_for_few_or_many_tickets_shown(
    client, app, many, count_queries
):
    with count_queries() as statements:
        few = client.get("/tickets/?q=KZ-0042&status=all")
    few_queries = len(statements)
    with count_queries() as statements:
        full = client.get("/tickets/?status=all&sort=newest")
    full_queries = len(statements)
    assert len(shown_numbers(few.text)) == 1
    assert len(shown_numbers(full.text)) == 20 * len(TICKET_STATUSES)
    assert full_queries == few_queries
    assert full_queries <= 10
