"""A finding can be added from any checklist item, or on its own, each with its photos."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import ready_for_the_floor, score_all

pytestmark = pytest.mark.browser


def test_findings_from_a_good_score_and_on_their_own_reach_the_server(
    app, db, runner, live_server, page, tmp_path, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(camera_jpeg(1200, 900, orientation=None))
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}/start/5s-audit")
    page.wait_for_url("**/capture/draft/*")
    score_all(page)
    expect(page.locator(".finding")).to_have_count(0)  # nothing scored low: no prompt

    # The third item scored well, but the auditor saw something worth fixing there.
    third = page.locator(".item").nth(2)
    third.get_by_role("button", name="+ Add a finding for").click()
    third.locator(".finding textarea").fill("One tote without a label near the press")

    # Something no checklist item asks about, with a photo.
    page.get_by_role("button", name="+ Add a finding on its own").click()
    extra = page.locator("[data-extra-finding]")
    extra.get_by_label("What kind of problem").select_option(label="Shine")
    extra.get_by_label("Severity").select_option(label="High")
    extra.get_by_label("What did you see?").fill("Oil leak under the hydraulic unit")
    extra.locator("input[type=file]").set_input_files(str(photo))
    extra.locator("img.thumb").wait_for()
    # A second one, added by mistake and removed.
    page.get_by_role("button", name="+ Add a finding on its own").click()
    expect(page.locator("[data-extra-finding]")).to_have_count(2)
    page.locator("[data-extra-finding]").nth(1).get_by_role(
        "button", name="Remove this finding"
    ).click()
    expect(page.locator("[data-extra-finding]")).to_have_count(1)
    screenshot(page, "findings-on-their-own-phone")

    page.reload()  # all of it is in the draft
    page.locator("[data-extra-finding] img.thumb").wait_for()
    expect(page.locator("[data-extra-finding]")).to_have_count(1)
    expect(page.locator("[data-extra-finding] select").first).to_have_value("shine")
    expect(page.locator(".item").nth(2).locator(".finding textarea")).to_have_value(
        "One tote without a label near the press"
    )

    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)
    # The phone shows the kaizen ticket each finding opened, joined or reopened.
    outcomes = page.locator(".ticket-outcomes li")
    expect(outcomes).to_have_count(2)
    shown = outcomes.all_inner_texts()
    assert all(
        re.fullmatch(
            r"KZ-\d{4} opened|added to KZ-\d{4}, \d+(st|nd|rd|th) occurrence"
            r"|KZ-\d{4} reopened — it came back",
            text.strip(),
        )
        for text in shown
    ), shown
    screenshot(page, "outbox-tickets-opened-phone")

    db.session.rollback()
    audit = db.session.scalar(sa.select(Audit).where(Audit.auditor_id == leader.id))
    findings = db.session.scalars(
        sa.select(Finding).where(Finding.audit_id == audit.id).order_by(Finding.id)
    ).all()
    third_item = db.session.scalar(
        sa.select(ChecklistItem)
        .where(ChecklistItem.version_id == audit.template_version_id)
        .order_by(ChecklistItem.position)
        .offset(2)
        .limit(1)
    )
    by_description = {f.description: f for f in findings}
    assert set(by_description) == {
        "One tote without a label near the press",
        "Oil leak under the hydraulic unit",
    }
    from_item = by_description["One tote without a label near the press"]
    assert (from_item.item_id, from_item.category) == (third_item.id, third_item.section)
    alone = by_description["Oil leak under the hydraulic unit"]
    assert (alone.item_id, alone.kind, alone.category, alone.severity) == (
        None,
        "5s",
        "shine",
        "high",
    )
    assert len(alone.photos) == 1 and len(from_item.photos) == 0
    numbers = {re.search(r"KZ-\d{4}", text).group() for text in shown}
    assert numbers == {db.session.get(KaizenTicket, f.ticket_id).display_number for f in findings}
