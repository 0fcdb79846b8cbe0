"""A waste walk offline: observed wastes become findings; a draft is resumed from the Drafts
list; signing out with unsent records warns first and deletes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding
from tests.factories import UserFactory, demo_plant
from tests.pwa_tools import attach_photo, outbox_states, ready_for_the_floor

pytestmark = pytest.mark.browser


def test_waste_walk_resumed_from_drafts_then_synced(app, db, runner, live_server, page, screenshot):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-13"))
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    page.get_by_role("link", name="Waste walk").click()
    page.wait_for_url("**/capture/draft/*")
    items = page.locator(".item")
    items.first.wait_for()
    expect(items).to_have_count(8)  # the eight wastes
    items.nth(3).get_by_role("radio", name="Observed").check()  # Waiting
    items.nth(3).locator(".finding textarea").fill("Operators wait 10 min for the forklift")
    items.nth(0).get_by_role("radio", name="Not seen").check()

    page.goto(f"{live_server}/capture/drafts")  # walk away, come back later
    page.get_by_role("link", name=f"Waste walk · A-13 {area.name}").click()
    page.wait_for_url("**/capture/draft/*")
    page.locator(".item .finding textarea").wait_for()
    expect(page.locator(".item").nth(3).locator(".finding textarea")).to_have_value(
        "Operators wait 10 min for the forklift"
    )
    screenshot(page, "waste-walk-phone")
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()

    page.goto(f"{live_server}/capture/outbox")  # the sign-out warning is on server pages
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)
    db.session.rollback()
    audit = db.session.scalar(sa.select(Audit).where(Audit.auditor_id == leader.id))
    assert audit.kind == "waste"
    findings = db.session.scalars(sa.select(Finding).where(Finding.audit_id == audit.id)).all()
    assert [(f.kind, f.category, f.description) for f in findings] == [
        ("waste", "waiting", "Operators wait 10 min for the forklift")
    ]


def test_signing_out_with_unsent_records_warns_and_keeps_them(app, db, runner, live_server, page):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-30"))
    ready_for_the_floor(page, live_server, leader.email)
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}/start/abnormality-report")
    page.wait_for_url("**/capture/draft/*")
    page.get_by_role("radio", name="Quality").check()
    page.get_by_role("radio", name="Low").check()
    page.locator(".item textarea").first.fill("Label printer prints faint barcodes")
    attach_photo(page)  # the report asks for a photo
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()

    page.route("**/api/v1/**", lambda route: route.abort())  # the server stays out of reach
    page.context.set_offline(False)
    page.goto(f"{live_server}/")
    messages = []

    def refuse(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    with page.expect_event("dialog"):
        page.get_by_role("button", name="Sign out").click()
    assert "1 record(s) of yours have not reached the server yet" in messages[0]
    assert "hidden from anyone else who signs in here" in messages[0]
    assert "sent when you sign in again on this phone" in messages[0]
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert outbox_states(page) == ["waiting"]  # nothing deleted
