"""An admin builds a checklist on a phone and publishes it; an auditor's phone picks it up with
its field data and runs it offline: a reading out of range and a failed check become tickets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding
from gemba_walk.checklists.models import ChecklistTemplate
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_layout
from tests.pwa_tools import attach_photo, wait_for_service_worker
from tests.test_area_pages_browser import page_problems

pytestmark = pytest.mark.browser

NARROW_PHONE = {"width": 360, "height": 780}


@pytest.fixture
def admin_phone(app, live_server, browser):
    """An admin signed in on a 360 px phone; CSP bypassed only so axe can run."""
    demo_layout(app)
    admin = UserFactory(role="admin")
    context = browser.new_context(viewport=NARROW_PHONE, has_touch=True, bypass_csp=True)
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    yield page
    context.close()


def test_an_admin_publishes_a_checklist_that_a_phone_runs_offline(
    admin_phone, live_server, db, screenshot
):
    page = admin_phone
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()

    # The admin builds the checklist, one thumb, 360 px wide.
    page.goto(f"{live_server}/")
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_text("More", exact=True).click()  # Users sits under "More" on a phone
    main_nav.get_by_role("link", name="Users").click()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Checklists"
    ).click()
    assert page_problems(page) == []
    page.get_by_role("link", name="New checklist").click()
    assert page_problems(page) == []
    page.get_by_role("link", name="Custom checklist").click()
    page.get_by_label("Name").fill("Daily safety round")
    first = page.locator("[data-builder-item]").nth(0)
    first.get_by_label("Question").fill("Compressed air pressure (bar)")
    first.get_by_label("Answered as").select_option(label="Number")
    expect(first.get_by_label("Score levels or choices, one per line")).to_be_hidden()
    first.get_by_label("Section").fill("Utilities")
    first.get_by_label("Lowest normal value").fill("6")
    first.get_by_label("Highest normal value").fill("8.5")
    first.get_by_text("Key and help text").click()
    first.get_by_label("Help for the auditor").fill("Read the gauge at the main valve")
    page.evaluate("window.builderMarker = 'same page'")
    page.get_by_role("button", name="+ Add item").click()
    expect(page.locator("[data-builder-item]")).to_have_count(2)
    expect(first.get_by_label("Highest normal value")).to_have_value("8.5")  # nothing lost
    second = page.locator("[data-builder-item]").nth(1)
    # In place, with no request: the page (and what a script kept in it) is the same one.
    assert page.evaluate("window.builderMarker") == "same page"
    expect(second.get_by_label("Question")).to_be_focused()
    expect(second.locator("legend")).to_have_text("Item 2")
    expect(second.get_by_label("Question")).to_have_attribute("name", "item-1-prompt")
    expect(first.get_by_role("button", name="Move down item 1")).to_be_enabled()
    expect(second.get_by_role("button", name="Move down item 2")).to_be_disabled()
    expect(second.get_by_label("Lowest normal value")).to_be_hidden()  # fields that apply only
    second.get_by_label("Question").fill("Fire extinguisher in place and inspected")
    expect(second.get_by_label("Answered as")).to_have_value("pass_fail")
    second.get_by_label("Section").fill("Fire")
    second.get_by_label("A finding here needs a photo").check()
    screenshot(page, "checklist-builder-phone")
    # Leaving with unsaved changes asks first; staying keeps everything typed.
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    with page.expect_event("dialog"):
        nav = page.get_by_role("navigation", name="Administration")
        nav.get_by_role("link", name="Users").click()
    assert asked == ["beforeunload"]
    expect(second.get_by_label("Question")).to_have_value(
        "Fire extinguisher in place and inspected"
    )
    assert page_problems(page) == []

    # A mistake is explained next to the field, and nothing typed is lost.
    first.get_by_label("Lowest normal value").fill("9")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Item 1: the upper limit is below the lower limit."
    )
    expect(page.locator("#item-0-max_value")).to_be_focused()
    page.locator("#item-0-min_value").fill("6")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.get_by_role("button", name="Publish version 1")).to_be_visible()
    assert page_problems(page) == []
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Published version 1 of “Daily safety round”")).to_be_visible()
    screenshot(page, "checklist-published-phone")

    # The phone picks it up with its field data, then works with no network.
    page.goto(f"{live_server}/capture/drafts")
    page.locator("body[data-pack]").wait_for()  # every signed-in page refreshes the pack
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    page.get_by_role("link", name="Daily safety round").click()
    page.wait_for_url("**/capture/draft/*")
    page.get_by_label("Compressed air pressure (bar)").fill("4.2")
    expect(page.get_by_text("Normal: 6 to 8.5.")).to_be_visible()
    expect(page.get_by_text("Read the gauge at the main valve")).to_be_visible()
    reading, extinguisher = page.locator(".item").nth(0), page.locator(".item").nth(1)
    expect(reading.locator(".finding")).to_be_visible()  # out of range: a finding is asked for
    extinguisher.get_by_role("radio", name="Fail").check()
    extinguisher.locator(".finding textarea").fill("Extinguisher missing from bracket F3")
    page.get_by_role("button", name="Submit — send when online").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Add a photo for: Fire extinguisher in place and inspected"
    )
    attach_photo(extinguisher)
    screenshot(page, "custom-checklist-phone")
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)

    db.session.rollback()  # end the test's read snapshot: see what the server stored
    safety = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.name == "Daily safety round")
    )
    findings = db.session.scalars(
        sa.select(Finding).where(Finding.area_id == area.id).order_by(Finding.category)
    ).all()
    assert [(f.kind, f.category) for f in findings] == [("custom", "Fire"), ("custom", "Utilities")]
    fire, air = findings
    assert fire.description == "Extinguisher missing from bracket F3" and len(fire.photos) == 1
    assert "4.2 is outside the normal range 6 to 8.5" in air.description
    assert all(f.ticket_id for f in findings)
    assert fire.audit.template_version.template_id == safety.id
