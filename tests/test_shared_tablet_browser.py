"""One tablet at the line, two leaders. Ana scans the label
and audits offline; she switches person; Ben (German) opens the same area by its typed code and
audits offline. Each audit reaches the server under its own author, Ana's with her scan and Ben's
with none (a second person never borrows the first one's proof of presence). The Scan page works
offline for both, the first screen after the switch is Ben's (his walks, his language), and once
nobody is signed in the tablet shows no one's tickets or owners."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from gemba_walk.auth.models import User
from tests.factories import UserFactory, demo_plant
from tests.pwa_tools import score_all, wait_for_service_worker

pytestmark = pytest.mark.browser


def submit_offline_and_sync(page) -> None:
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").first.wait_for(timeout=20_000)


def test_two_leaders_audit_one_area_on_one_tablet_each_with_their_own_proof_of_presence(
    app, db, runner, live_server, browser_profile, screenshot
):
    from tests.factories import DEFAULT_PASSWORD

    demo_plant(runner)
    ana = UserFactory(role="leader", name="Ana Leader", email="ana@plant.test")
    ben = UserFactory(role="leader", name="Ben Leiter", email="ben@plant.test", language="de")
    db.session.commit()
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    area_id, token = area.id, area.qr_token
    tablet = browser_profile(viewport={"width": 820, "height": 1100}, bypass_csp=True)
    page = tablet.pages[0] if tablet.pages else tablet.new_page()

    # Ana signs in and goes straight to a capture screen: the Scan page is kept all the same.
    page.goto(f"{live_server}/login?next=/capture/drafts")
    page.get_by_label("Email or username").fill(ana.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age").filter(has_text="Updated").wait_for()

    page.goto(f"{live_server}/a/{token}")  # Ana scans the label with the camera app
    expect(page.get_by_text("Scanned at the gemba")).to_be_visible()
    page.context.set_offline(True)
    page.goto(f"{live_server}/scan")  # the Scan page, offline, for Ana
    expect(page.get_by_role("heading", name="Scan an area label")).to_be_visible()
    page.goto(f"{live_server}/a/{token}")
    page.get_by_role("link", name="Start 5S audit").click()
    page.wait_for_url("**/capture/draft/*")
    expect(page.get_by_text("Started at the gemba by scan at")).to_be_visible()
    score_all(page)
    submit_offline_and_sync(page)

    # Switch person: Ben signs in; his first screen is his own, in German.
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Switch person").click()
    page.wait_for_url("**/login?**switch=1")
    page.get_by_label("Email or username").fill(ben.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    # The next person on a shared tablet is not kept signed in for weeks unless they ask.
    expect(page.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/capture/walks")
    page.locator("body[data-ready=true]").wait_for()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Walks")
    screenshot(page, "shared-tablet-ben-first-screen-820", full_page=False)

    # Offline, Ben opens the Scan page and types the area's code: no scan, no borrowed proof.
    page.context.set_offline(True)
    page.goto(f"{live_server}/scan")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("#code").fill("a-12")
    page.locator("form.code-form button[type=submit]").click()
    page.wait_for_url(f"**/a/{token}?via=code")
    page.locator(".capture-actions a.button").first.click()
    page.wait_for_url("**/capture/draft/*")
    expect(page.get_by_text("Nicht per Etikett-Scan begonnen")).to_be_visible()
    score_all(page)
    page.get_by_role("button", name="Abschicken – wird gesendet, sobald online").click()
    page.get_by_text("Wartet auf Synchronisierung").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synchronisiert").first.wait_for(
        timeout=20_000
    )

    db.session.rollback()
    audits = db.session.scalars(
        sa.select(Audit).where(Audit.area_id == area_id, Audit.auditor_id.in_([ana.id, ben.id]))
    ).all()
    by_author = {audit.auditor_id: audit for audit in audits}
    assert sorted(by_author) == sorted([ana.id, ben.id]) and len(audits) == 2
    assert by_author[ana.id].scanned_at is not None  # Ana's own scan
    assert by_author[ben.id].scanned_at is None  # Ben typed the code: no proof borrowed

    # Nobody signed in: the label's screen shows no one's tickets or owner.
    page.get_by_role("button", name="Person wechseln").click()
    page.wait_for_url("**/login?**switch=1")
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{token}")
    page.locator("body[data-ready=true]").wait_for()
    expect(page.get_by_text("Ana Leader")).to_have_count(0)
    expect(page.locator(".ticket-note-wrap")).to_have_count(0)


def test_a_turned_off_colleagues_unsent_audit_can_be_kept_and_discarded_by_a_leader(
    app, db, runner, live_server, browser, tmp_path
):
    """Carl audits offline and leaves; his account is turned off before his
    audit was sent. The next leader on the phone is told why it can never be sent, downloads a
    copy, and discards it after a confirmation."""
    import json

    from tests.factories import DEFAULT_PASSWORD
    from tests.pwa_tools import outbox_states, ready_for_the_floor

    demo_plant(runner)
    carl = UserFactory(role="leader", name="Carl Gone")
    lea = UserFactory(role="leader", name="Lea Leader")
    db.session.commit()
    token = db.session.scalar(sa.select(Area.qr_token).where(Area.code == "A-12"))
    context = browser.new_context(viewport={"width": 820, "height": 1000})
    page = context.new_page()
    ready_for_the_floor(page, live_server, carl.email)
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{token}/start/5s-audit")
    page.wait_for_url("**/capture/draft/*")
    score_all(page)
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()

    # An admin turns Carl's account off before the phone was online again.
    db.session.rollback()
    db.session.execute(sa.update(User).where(User.id == carl.id).values(active=False))
    db.session.commit()
    page.context.set_offline(False)
    page.goto(f"{live_server}/login")  # Carl's session ended with his account
    page.get_by_label("Email or username").fill(lea.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/capture/outbox")
    section = page.get_by_role("region", name="Records that cannot be sent")
    expect(section).to_contain_text("The account of Carl Gone is turned off")

    with page.expect_download() as kept:
        section.get_by_role("button", name="Download a copy").click()
    copy = json.loads((kept.value.path()).read_text())
    assert copy["author"] == "Carl Gone" and copy["audit"]["responses"]

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_download():
        section.get_by_role("button", name="Discard…").click()
    expect(section).to_have_count(0)
    assert outbox_states(page) == []
    context.close()
