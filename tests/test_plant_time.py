"""One plant time: the day a ticket is due is the same day on its page and in its reminder.

The site's zone decides (core/localtime.py); NOTIFY_TIMEZONE is only the fallback for a site
that names none. The story runs on a site at UTC+14 (Kiritimati) in a plant whose
NOTIFY_TIMEZONE is UTC-11 (Pago Pago): 25 hours apart, so the two dates differ at any moment,
and a reminder reading the fallback's date would tell of another day than the page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gemba_walk.areas.models import Site
from gemba_walk.core.database import write_transaction
from gemba_walk.core.localtime import local_today, site_today, site_zone
from gemba_walk.notify import jobs
from tests import notify_tools
from tests.factories import AreaFactory, SiteFactory, TicketFactory, UserFactory

SITE_ZONE = "Pacific/Kiritimati"  # UTC+14
NOTIFY_ZONE = "Pacific/Pago_Pago"  # UTC-11


@pytest.fixture
def plant(app, db):
    app.config["NOTIFY_TIMEZONE"] = NOTIFY_ZONE
    owner = UserFactory(role="member", name="Max Member")
    leader = UserFactory(role="leader", name="Lia Leader")
    area = AreaFactory(site=SiteFactory(timezone=SITE_ZONE), owner=leader)
    db.session.commit()
    return {"owner": owner, "leader": leader, "area": area}


def _ticket(db, plant, due):
    with write_transaction():
        ticket = TicketFactory(area=plant["area"], owner=plant["owner"], due_date=due)
    return ticket


def test_a_due_reminder_tells_of_the_day_the_page_shows(client, auth, db, plant):
    site = plant["area"].site
    today = site_today(site)
    assert today != local_today(NOTIFY_ZONE), "the fallback's date is another day"
    due_tomorrow = _ticket(db, plant, today + timedelta(days=1))
    due_today = _ticket(db, plant, today)
    was_due_yesterday = _ticket(db, plant, today - timedelta(days=1))

    jobs.run_pending()
    told = {
        message.split(" ", 1)[0]: message
        for user_id, message in notify_tools.inbox(db)
        if user_id == plant["owner"].id
    }
    assert "is due tomorrow" in told[due_tomorrow.display_number]
    assert "is overdue" in told[was_due_yesterday.display_number]
    assert due_today.display_number not in told, "due today: neither due tomorrow nor overdue"

    auth.login(plant["owner"].email)
    for ticket, overdue in ((due_tomorrow, False), (due_today, False), (was_due_yesterday, True)):
        page = client.get(f"/tickets/{ticket.number}")
        assert page.status_code == 200
        assert ("badge--alert" in page.text and "Overdue" in page.text) == overdue, ticket
    board = client.get("/tickets/?overdue=1").text
    assert was_due_yesterday.title in board
    assert due_today.title not in board and due_tomorrow.title not in board


def test_a_site_without_a_zone_takes_the_fallback(app, plant):
    assert site_zone(plant["area"].site) == SITE_ZONE
    assert site_zone(Site(name="No zone yet", timezone="")) == NOTIFY_ZONE
    assert site_zone(Site(name="Unknown zone", timezone="Mars/Olympus")) == NOTIFY_ZONE
