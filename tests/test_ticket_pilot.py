"""Tickets ready for a pilot line: the printed KZ number opens the ticket, flashes speak
plainly, a send-back says so at the top and asks for a new due date, a quick filter leaves the
filter panel closed, leaders reassign, and each site chooses who may verify — the page always
says who that is and why a Verify button is missing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Site
from gemba_walk.areas.operations import AreaError, set_verification_mode
from gemba_walk.core.database import write_transaction
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests.conftest import csrf_token_from
from tests.factories import AreaFactory, SiteFactory, UserFactory
from tests.test_ticket_workflow import new_ticket, small_jpeg


@pytest.fixture
def line(db):
    """A line with one leader, who owns the area, and one team member."""
    people = {
        "leader": UserFactory(role="leader", name="Lone Leader"),
        "member": UserFactory(role="member", name="Mo Member"),
        "admin": UserFactory(role="admin", name="Ada Admin"),
    }
    site = SiteFactory(name="Berlin line 1")
    area = AreaFactory(site=site, owner=people["leader"])
    ticket = new_ticket(db, area, people["leader"])
    return {"people": people, "site": site, "area": area, "number": ticket.number, "id": ticket.id}


def post(client, path: str, data: dict):
    token = csrf_token_from(client.get("/tickets/").text)
    return client.post(path, data={**data, "csrf_token": token})


def ticket_of(db, line) -> KaizenTicket:
    db.session.rollback()
    return db.session.get(KaizenTicket, line["id"])


def carry_out(db, line, tmp_path, user) -> None:
    """Start, countermeasure, after photo, done — what the team does before verification."""
    from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo

    jpeg = small_jpeg()
    with write_transaction():
        ticket = db.session.get(KaizenTicket, line["id"])
        workflow.transition(ticket, user, "start")
        workflow.update_pdca(
            ticket,
            user,
            {
                "countermeasure": "Guard re-fixed, torque marked",
                "no_change_reason": "The torque standard already asks for it; it was missed",
            },
        )
        stored = store_photo(
            PhotoStore(tmp_path / "photos"),
            user,
            "6f0b1f9e-1c1e-4b55-9d7e-0a4a8e0f0001",
            jpeg,
            sha256_hex(jpeg),
        )
        workflow.record_after_photo(ticket, user, stored.photo)
        workflow.transition(ticket, user, "done")


# --- the number printed on the card -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["KZ-{n:04d}", "kz-{n}", "KZ{n:04d}"])
def test_the_number_printed_on_the_card_opens_the_ticket_at_its_canonical_address(
    client, auth, line, typed
):
    auth.login(line["people"]["member"].email)
    answer = client.get("/tickets/" + typed.format(n=line["number"]))
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"/tickets/{line['number']}"
    assert "Loose guard rail" in client.get(answer.headers["Location"]).text


def test_a_reference_that_is_not_a_ticket_number_is_a_clear_404(client, auth, line):
    auth.login(line["people"]["member"].email)
    answer = client.get("/tickets/KZ-abc")
    assert answer.status_code == 404
    assert "There is no ticket “KZ-abc”." in answer.text


# --- plain words ------------------------------------------------------------------------------


def test_flashes_say_what_happened_in_plain_words(client, auth, line):
    auth.login(line["people"]["leader"].email)
    answer = post(client, f"/tickets/{line['number']}/status", {"action": "start"})
    page = client.get(answer.headers["Location"]).text
    assert "Work started." in page
    assert ": done." not in page


# --- sent back: said at the top, with a new due date ------------------------------------------


def test_a_send_back_is_told_at_the_top_with_its_reason_and_asks_for_a_new_due_date(
    client, auth, db, line, tmp_path
):
    member, admin = line["people"]["member"], line["people"]["admin"]
    with write_transaction():
        ticket = db.session.get(KaizenTicket, line["id"])
        ticket.owner_id = member.id
        ticket.due_date = date.today() - timedelta(days=3)  # the old due date has passed
    carry_out(db, line, tmp_path, member)
    auth.login(admin.email)
    page = client.get(f"/tickets/{line['number']}").text
    assert 'name="due_date" type="date"' in page  # the send-back form asks for the new date

    # Without a new date the ticket would come back overdue at once: refused, nothing changed.
    refused = post(
        client,
        f"/tickets/{line['number']}/status",
        {"action": "send_back", "reason": "Guard loose again", "due_date": ""},
    )
    assert refused.status_code == 422
    assert "Give a new due date" in refused.text
    assert ticket_of(db, line).status == "done"

    past = post(
        client,
        f"/tickets/{line['number']}/status",
        {"action": "send_back", "reason": "Guard loose again", "due_date": "2020-01-01"},
    )
    assert past.status_code == 422 and "cannot be in the past" in past.text

    new_due = date.today() + timedelta(days=5)
    sent = post(
        client,
        f"/tickets/{line['number']}/status",
        {"action": "send_back", "reason": "Guard loose again", "due_date": new_due.isoformat()},
    )
    assert sent.status_code == 302
    ticket = ticket_of(db, line)
    assert (ticket.status, ticket.due_date, ticket.verified_by_id) == ("reopened", new_due, None)

    page = client.get(f"/tickets/{line['number']}").text
    state = re.search(r'data-testid="ticket-state">(.*?)</p>', page, re.S).group(1)
    assert "Sent back by Ada Admin" in state and "Guard loose again" in state
    assert f"New due date {new_due:%d %b %Y}" in state
    # the state sits in the header, above the next step and the history
    assert page.index('data-testid="ticket-state"') < page.index('id="next-step"')
    assert page.index('data-testid="ticket-state"') < page.index('id="history-h"')
    assert "Overdue" not in page


def test_a_reopened_ticket_no_longer_says_verified_by(client, auth, db, line, tmp_path):
    member, admin = line["people"]["member"], line["people"]["admin"]
    with write_transaction():
        db.session.get(KaizenTicket, line["id"]).owner_id = member.id
    carry_out(db, line, tmp_path, member)
    auth.login(admin.email)
    post(client, f"/tickets/{line['number']}/status", {"action": "verify"})
    assert "Verified by Ada Admin" in client.get(f"/tickets/{line['number']}").text
    post(
        client,
        f"/tickets/{line['number']}/status",
        {"action": "reopen", "reason": "Came back", "due_date": date.today().isoformat()},
    )
    page = client.get(f"/tickets/{line['number']}").text
    assert "Verified by" not in page
    assert "Reopened by Ada Admin" in page and "Came back" in page
    history = [
        e.to_status
        for e in db.session.scalars(
            sa.select(TicketEvent).where(TicketEvent.ticket_id == line["id"])
        )
    ]
    assert "verified" in history  # the history keeps the verification


# --- the board's filter panel ------------------------------------------------------------------


def test_a_quick_filter_leaves_the_filter_panel_closed_and_names_itself(client, auth, line):
    auth.login(line["people"]["member"].email)
    mine = client.get("/tickets/?mine=1").text
    assert re.search(r'<details class="board-filters__more"\s*>', mine)
    assert "(mine only)" in mine
    chosen = client.get(f"/tickets/?area={line['area'].id}&mine=1").text
    assert re.search(r'<details class="board-filters__more"\s*open>', chosen)


# --- reassigning -------------------------------------------------------------------------------


def test_a_leader_reassigns_a_ticket_and_a_member_may_not(client, auth, db, line):
    member = line["people"]["member"]
    auth.login(member.email)
    page = client.get(f"/tickets/{line['number']}").text
    assert 'action="/tickets/{}/owner"'.format(line["number"]) not in page
    refused = post(client, f"/tickets/{line['number']}/owner", {"owner_id": str(member.id)})
    assert refused.status_code == 403 and "Only a leader or an admin" in refused.text
    auth.logout()

    auth.login(line["people"]["leader"].email)
    assert "Owner (leaders and admins reassign)" in client.get(f"/tickets/{line['number']}").text
    moved = post(client, f"/tickets/{line['number']}/owner", {"owner_id": str(member.id)})
    assert moved.status_code == 302
    assert ticket_of(db, line).owner_id == member.id


# --- who may verify ----------------------------------------------------------------------------


def test_by_default_the_owner_may_not_verify_and_the_page_says_why(
    client, auth, db, line, tmp_path
):
    leader = line["people"]["leader"]
    carry_out(db, line, tmp_path, leader)
    auth.login(leader.email)
    page = client.get(f"/tickets/{line['number']}").text
    assert 'value="verify"' not in page
    assert (
        "At Berlin line 1 a leader or admin who does not own the ticket verifies it. "
        "You own this ticket, so another leader verifies it." in page
    )
    refused = post(client, f"/tickets/{line['number']}/status", {"action": "verify"})
    assert refused.status_code == 403
    assert ticket_of(db, line).status == "done"


def test_a_member_is_told_they_cannot_verify(client, auth, db, line, tmp_path):
    carry_out(db, line, tmp_path, line["people"]["leader"])
    auth.login(line["people"]["member"].email)
    page = client.get(f"/tickets/{line['number']}").text
    assert "You are a team member, so you cannot verify." in page


def test_on_a_one_leader_line_the_owner_verifies_and_it_is_recorded_as_self_verified(
    client, auth, db, line, tmp_path
):
    admin, leader = line["people"]["admin"], line["people"]["leader"]
    auth.login(admin.email)
    form = client.get(f"/admin/sites/{line['site'].id}").text
    assert "Any leader, the owner too" in form
    saved = client.post(
        f"/admin/sites/{line['site'].id}",
        data={
            "csrf_token": csrf_token_from(form),
            "name": "Berlin line 1",
            "timezone": "Europe/Berlin",
            "verification_mode": "any_leader",
        },
    )
    assert saved.status_code == 302
    assert db.session.get(Site, line["site"].id).verification_mode == "any_leader"
    auth.logout()

    carry_out(db, line, tmp_path, leader)
    auth.login(leader.email)
    page = client.get(f"/tickets/{line['number']}").text
    assert "any leader or admin verifies, the owner too" in page
    assert 'value="verify"' in page
    verified = post(client, f"/tickets/{line['number']}/status", {"action": "verify"})
    assert verified.status_code == 302
    ticket = ticket_of(db, line)
    assert (ticket.status, ticket.verified_by_id, ticket.self_verified) == (
        "verified",
        leader.id,
        True,
    )
    page = client.get(f"/tickets/{line['number']}").text
    assert "self-verified by the owner" in page
    assert "Self-verified by the owner (the site lets any leader verify)." in page  # history


def test_an_unknown_verification_setting_is_refused(client, auth, db, line):
    with pytest.raises(AreaError, match="Unknown verification setting"):
        set_verification_mode(line["site"], "whoever")
    auth.login(line["people"]["admin"].email)
    form = client.get(f"/admin/sites/{line['site'].id}").text
    answer = client.post(
        f"/admin/sites/{line['site'].id}",
        data={
            "csrf_token": csrf_token_from(form),
            "name": "Berlin line 1",
            "timezone": "UTC",
            "verification_mode": "whoever",
        },
    )
    assert answer.status_code == 422
    assert "Not a valid choice" in answer.text
    assert db.session.get(Site, line["site"].id).verification_mode == "other_leader"
