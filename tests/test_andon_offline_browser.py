"""The andon from a label works with no network. On a shared tablet
nobody is signed in and the network is gone: the label draws the report form from the device,
the report (with its photo) is kept there and sent once the network is back. On the server's
andon page, a report whose network drops at "Send" is kept the same way — never lost without a
word."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.andon.models import AndonReport
from tests.factories import AreaFactory, UserFactory
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import ready_for_the_floor

pytestmark = pytest.mark.browser

PHOTO = {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(1200, 900, 1)}


def reports(db) -> list[AndonReport]:
    db.session.rollback()
    return db.session.scalars(sa.select(AndonReport)).all()


def test_a_signed_out_tablet_takes_an_andon_report_offline_and_sends_it_once_back_online(
    app, db, live_server, browser
):
    area = AreaFactory(name="Press line 3", code="P-03", andon_enabled=True)
    leader = UserFactory(role="leader", name="Kenji Leader")
    db.session.commit()
    token = area.qr_token
    tablet = browser.new_context(viewport={"width": 820, "height": 1100})
    page = tablet.new_page()
    ready_for_the_floor(page, live_server, leader.email)  # the tablet has the field data
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Switch person").click()
    page.wait_for_url("**/login?**switch=1")

    tablet.set_offline(True)
    page.goto(f"{live_server}/a/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    page.get_by_text("Safety", exact=True).click()
    page.get_by_label("What did you see?").fill("Oil under press 3, floor slippery")
    page.get_by_label("Photo (optional)").set_input_files(PHOTO)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Your report is saved on this device.")).to_be_visible()
    assert reports(db) == []

    tablet.set_offline(False)
    page.goto(f"{live_server}/a/{token}")  # online: the label's andon page sends what was kept
    page.wait_for_url(f"**/andon/{token}")
    page.locator("body[data-andon-kept='0']").wait_for(timeout=20_000)
    (report,) = reports(db)
    assert report.description == "Oil under press 3, floor slippery"
    assert report.category == "safety" and report.photo_sha256 is not None
    page.reload()  # nothing is sent twice
    page.locator("body[data-andon-kept='0']").wait_for()
    assert len(reports(db)) == 1
    tablet.close()


def test_a_report_whose_network_drops_at_send_is_kept_and_sent_later(app, db, live_server, browser):
    area = AreaFactory(name="Paint shop", code="PS-1", andon_enabled=True)
    db.session.commit()
    token = area.qr_token
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{live_server}/andon/{token}")
    page.get_by_text("Quality", exact=True).click()
    page.get_by_label("What did you see?").fill("Runs in the clear coat on door panels")
    page.get_by_label("Your name (optional)").fill("Ana")
    phone.set_offline(True)  # the network drops as the person taps Send
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Your report is saved on this device.")).to_be_visible()
    assert reports(db) == []

    phone.set_offline(False)
    page.goto(f"{live_server}/andon/{token}")  # the page sends what the device kept
    page.locator("body[data-andon-kept='0']").wait_for(timeout=20_000)
    (report,) = reports(db)
    assert (report.description, report.reporter_name) == (
        "Runs in the clear coat on door panels",
        "Ana",
    )
    phone.close()
