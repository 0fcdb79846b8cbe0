"""Notifications people read: the first run of the jobs on a plant's old tickets
tells each person once, in a summary, instead of one line per old ticket; a ticket's later
condition (escalated) replaces its earlier one (overdue) rather than adding to it; the inbox,
"For you" and the bell count a ticket once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gemba_walk.core.ids import utcnow
from gemba_walk.notify import jobs
from tests import notify_tools
from tests.conftest import AuthActions
from tests.factories import AreaFactory, TicketFactory, UserFactory


@pytest.fixture
def plant(app, db):
    leader = UserFactory(role="leader", name="Lia Leader")
    owner = UserFactory(role="member", name="Max Member")
    area = AreaFactory(owner=leader, code="A-11", name="Assembly")
    db.session.commit()
    return {"leader": leader, "owner": owner, "area": area}


def _told(db, user) -> list[str]:
    return [message for user_id, message in notify_tools.inbox(db) if user_id == user.id]


def test_the_first_run_on_old_tickets_sends_one_summary_per_person(db, client, plant):
    """87 'overdue' and 86 'escalated' lines took a leader's bell from 48 to 183 in minutes."""
    today = utcnow().date()
    for days in range(10, 16):  # six tickets, long overdue before the jobs ever ran
        TicketFactory(area=plant["area"], owner=plant["owner"], due_date=today - timedelta(days))
    db.session.commit()
    jobs.run_pending()
    assert _told(db, plant["owner"]) == [
        "6 tickets need you: overdue or due tomorrow. The board lists them."
    ]
    assert _told(db, plant["leader"]) == [
        "6 tickets need you: overdue or due tomorrow. The board lists them."
    ]
    AuthActions(client).login(plant["leader"].email)
    assert client.get("/notifications/count").json["unread"] == 1
    jobs.run_pending(utcnow() + timedelta(hours=1))
    assert len(_told(db, plant["leader"])) == 1, "nothing again on the next run"


def test_a_few_overdue_tickets_are_still_told_one_by_one(db, plant):
    today = utcnow().date()
    ticket = TicketFactory(area=plant["area"], owner=plant["owner"], due_date=today - timedelta(1))
    db.session.commit()
    jobs.run_pending()
    assert _told(db, plant["owner"]) == [
        f"{ticket.display_number} is overdue (due {ticket.due_date:%d %b}): {ticket.title}"
    ]


def test_escalated_replaces_overdue_and_for_you_lists_the_ticket_once(db, client, plant):
    """The leader owns the ticket and leads its area: 'is overdue (due 14 Nov)' then 'is 23
    days overdue' were two lines of one ticket in "For you" and two on the bell."""
    leader = plant["leader"]
    ticket = TicketFactory(
        area=plant["area"], owner=leader, due_date=utcnow().date() + timedelta(days=1)
    )
    db.session.commit()
    jobs.run_pending()
    jobs.run_pending(utcnow() + timedelta(days=2))  # overdue
    jobs.run_pending(utcnow() + timedelta(days=5))  # past the grace days: escalated
    told = _told(db, leader)
    assert len(told) == 3 and told[-1].startswith(f"{ticket.display_number} is 4 days overdue")
    AuthActions(client).login(leader.email)
    assert client.get("/notifications/count").json["unread"] == 1
    home = client.get("/").text
    for_you = home[
        home.index('id="for-you"') : home.index("</section>", home.index('id="for-you"'))
    ]
    assert for_you.count(ticket.display_number) == 1
    assert "4 days overdue" in for_you and "is overdue (due" not in for_you
    inbox = client.get("/notifications").text
    assert inbox.count(f"{ticket.display_number} is") == 1


def test_opening_the_ticket_reads_what_the_inbox_told_of_it(db, client, plant):
    """The ticket page calls the inbox's own operation; another ticket's line stays unread."""
    today = utcnow().date()
    seen = TicketFactory(area=plant["area"], owner=plant["owner"], due_date=today - timedelta(1))
    other = TicketFactory(area=plant["area"], owner=plant["owner"], due_date=today - timedelta(2))
    db.session.commit()
    jobs.run_pending()
    AuthActions(client).login(plant["owner"].email)
    assert client.get("/notifications/count").json["unread"] == 2
    assert client.get(f"/tickets/{seen.number}").status_code == 200
    assert client.get("/notifications/count").json["unread"] == 1
    assert other.display_number in client.get("/notifications").text
