"""One limit, both sides: what the server would refuse, the phone refuses first, in words, at
the moment it is captured, so no audit is stranded on the phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from tests.factories import UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import outbox_states, ready_for_the_floor, score_all

pytestmark = pytest.mark.browser


def _photos(first: int, count: int) -> list[dict]:
    picture = camera_jpeg(640, 480, orientation=1)
    return [
        {"name": f"IMG_{n:04d}.jpg", "mimeType": "image/jpeg", "buffer": picture}
        for n in range(first, first + count)
    ]


def test_the_13th_photo_on_a_finding_is_refused_on_the_phone_and_the_audit_syncs_with_12(
    app, db, runner, live_server, page, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Lia Leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    page.get_by_role("link", name="Start 5S audit").click()
    page.wait_for_url("**/capture/draft/*")
    score_all(page, 4)
    page.locator("fieldset.scores").first.locator("label.score-choice").nth(1).click()
    finding = page.locator(".finding")
    expect(finding).to_have_count(1)
    finding.locator("textarea").fill("Pallets in the walkway, seen from every side")
    picker = finding.locator("input[type=file]")
    picker.set_input_files(_photos(1, 12))
    expect(finding.locator("img.thumb")).to_have_count(12, timeout=30_000)

    picker.set_input_files(_photos(13, 1))  # the 13th
    refusal = finding.get_by_text("12 photos is the most a finding keeps")
    expect(refusal).to_be_visible()
    expect(finding.locator("img.thumb")).to_have_count(12)
    screenshot(page, "thirteenth-photo-refused-phone")

    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced", exact=True).wait_for(timeout=30_000)
    assert outbox_states(page) == ["synced"]

    db.session.rollback()  # read what the server committed
    audit = db.session.scalar(sa.select(Audit).where(Audit.auditor_id == leader.id))
    stored = db.session.scalars(sa.select(Finding).where(Finding.audit_id == audit.id)).one()
    photos = db.session.scalar(
        sa.select(sa.func.count()).select_from(Photo).where(Photo.finding_id == stored.id)
    )
    assert photos == 12
