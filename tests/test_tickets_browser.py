"""A kaizen ticket carried through PDCA in real Chromium: a team member on a tablet takes it,
records 5 Whys, a countermeasure and an after photo, marks it done; a leader on a phone leaves
an offline "checked at the gemba" note that syncs into the history, then verifies the fix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.audits.models import Finding
from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo
from gemba_walk.core.database import write_transaction
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from gemba_walk.tickets.rules import ticket_for_finding
from tests.browser_checks import no_horizontal_scroll, small_touch_targets
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, UserFactory
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import ready_for_the_floor

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def opened_ticket(db, live_server):
    """A guard found loose by the leader's last walk: a ticket with a before photo."""
    team = UserFactory(role="member", name="Tara Team")
    leader = UserFactory(role="leader", name="Lia Leader")
    area = AreaFactory(owner=None, code="P-07", name="Press 7")
    before = camera_jpeg(1200, 900, orientation=None)
    with write_transaction():
        photo = store_photo(
            PhotoStore(live_server.photo_path),
            leader,
            str(uuid.uuid4()),
            before,
            sha256_hex(before),
        ).photo
        found = Finding(
            uuid=str(uuid.uuid4()),
            area_id=area.id,
            kind="abnormality",
            category="safety",
            severity="high",
            description="Guard on press 7 held by one bolt",
            reported_by_id=leader.id,
            observed_at=datetime.now(UTC).replace(tzinfo=None),
        )
        db.session.add(found)
        db.session.flush()
        photo.finding_id = found.id
        db.session.flush()
        ticket = ticket_for_finding(found).ticket
    return {"team": team, "leader": leader, "area": area, "number": ticket.number}


def test_a_team_takes_a_ticket_through_pdca_and_a_leader_verifies_it_at_the_gemba(
    browser, db, live_server, page, tmp_path, screenshot, opened_ticket
):
    number = opened_ticket["number"]
    label = f"KZ-{number:04d}"
    after = tmp_path / "after.jpg"
    after.write_bytes(camera_jpeg(1600, 1200, orientation=None))

    # --- a team member on a tablet --------------------------------------------------------
    tablet = browser.new_context(viewport=TABLET, has_touch=True)
    desk = tablet.new_page()
    sign_in_in_browser(desk, live_server, opened_ticket["team"].email)
    desk.goto(f"{live_server}/tickets/")
    column = desk.locator(".board__column--open")
    expect(column.get_by_text(label)).to_be_visible()
    screenshot(desk, "board-tablet")
    column.get_by_role("link", name=label).click()
    desk.get_by_role("button", name="Take it and start work").click()
    expect(desk.get_by_text("Work started.")).to_be_visible()
    expect(desk.locator(".ticket-head")).to_contain_text("Owner: Tara Team")

    desk.get_by_label("Why? (1)").fill("The bolt vibrated loose")
    desk.get_by_label("Why? (2)").fill("It has no locking washer")
    desk.get_by_label("Why? (3)").fill("The guard drawing does not call for one")
    desk.get_by_label("Root cause", exact=True).fill("Guard drawing lacks a locking washer")
    desk.get_by_label("Countermeasure", exact=True).fill(
        "Four bolts with locking washers; drawing updated"
    )
    desk.get_by_label("Standardize").fill("Guard drawing rev C; torque check added to TPM sheet")
    desk.get_by_role("button", name="Save PDCA").click()
    expect(desk.get_by_text("Saved.")).to_be_visible()

    # One step: choosing the photo shows it, with the button that saves it right below.
    desk.locator("#after-photo").set_input_files(str(after))
    preview = desk.get_by_role("img", name="The “after” photo you chose")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.complete && image.naturalWidth > 0")
    desk.get_by_role("button", name="Save this photo").click()
    expect(desk.get_by_text("Photo added.")).to_be_visible()
    expect(desk.get_by_role("img", name="After photo 1")).to_be_visible()
    expect(desk.get_by_role("img", name="Before photo 1")).to_be_visible()
    desk.get_by_role("button", name="Mark done").click()
    expect(desk.get_by_text("Marked done. A leader now checks at the gemba")).to_be_visible()
    expect(desk.locator(".ticket-head .badge").first).to_have_text("Done")
    # The team member cannot verify their own work, and the page says why.
    expect(desk.get_by_role("button", name="Verify — the fix holds")).to_have_count(0)
    expect(desk.get_by_test_id("who-may-verify")).to_contain_text("so you cannot verify")
    screenshot(desk, "ticket-done-tablet")
    tablet.close()

    # --- the leader on a phone, at the gemba, offline --------------------------------------
    ready_for_the_floor(page, live_server, opened_ticket["leader"].email)
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{opened_ticket['area'].qr_token}")
    row = page.locator(f'[data-ticket="{label}"]')
    row.get_by_role("button", name=f"Add a note on {label}").click()
    row.get_by_label(f"Note on {label}").fill("Four bolts in place, washers fitted, guard solid")
    row.get_by_role("button", name="Save note").click()
    expect(row.get_by_text("Saved on this phone")).to_be_visible()
    screenshot(page, "gemba-note-offline-phone")
    page.context.set_offline(False)
    page.goto(f"{live_server}/capture/outbox")
    page.locator(".outbox-entry .state").filter(has_text="Synced").first.wait_for(timeout=20_000)

    page.goto(f"{live_server}/tickets/{number}")
    history = page.locator(".history")
    expect(history).to_contain_text("Checked at the gemba:")
    expect(history).to_contain_text("Four bolts in place, washers fitted, guard solid")
    page.get_by_label("What did you see at the gemba? (Check)").fill("Guard solid after a shift")
    page.get_by_role("button", name="Verify — the fix holds").click()
    expect(page.get_by_text("Verified: the fix holds. The ticket is closed.")).to_be_visible()
    expect(page.locator(".ticket-head .badge").first).to_have_text("Verified")
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    screenshot(page, "ticket-verified-phone")

    db.session.rollback()
    stored = db.session.scalar(sa.select(KaizenTicket).where(KaizenTicket.number == number))
    assert stored.status == "verified"
    assert stored.owner.name == "Tara Team" and stored.verified_by.name == "Lia Leader"
    assert stored.whys == [
        "The bolt vibrated loose",
        "It has no locking washer",
        "The guard drawing does not call for one",
    ]
    kinds = db.session.scalars(
        sa.select(TicketEvent.kind)
        .where(TicketEvent.ticket_id == stored.id)
        .order_by(TicketEvent.id)
    ).all()
    assert kinds == [
        "opened",
        "taken",
        "fields_changed",
        "after_photo",
        "status_changed",
        "gemba_check",
        "verified",
    ]
