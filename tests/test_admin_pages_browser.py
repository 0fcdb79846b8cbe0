"""Pages a supervisor and an admin use, on a tablet: the walk-plan
form shows only what its frequency uses, with controls a finger can hit; the checklist builder
opens as a table of contents with its sections folded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}


def test_the_walk_plan_form_shows_only_what_its_frequency_uses_with_44_px_controls(
    app, db, live_server, page, screenshot
):
    site = SiteFactory(name="Werk Berlin")
    for n in (1, 2, 3):
        AreaFactory(site=site, code=f"L-{n}", name=f"Line {n}")
    ensure_default_templates()
    leader = UserFactory(role="leader", name="Lea Leader")
    db.session.commit()
    page.set_viewport_size(TABLET)
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/walks/plans/new?site={site.id}")

    weekdays = page.locator("fieldset[data-shown-for=weekdays]")
    day_of_month = page.get_by_label("Day of the month")
    how_often = page.get_by_label("How often")
    how_often.select_option("daily")
    expect(weekdays).to_be_hidden()
    expect(day_of_month).to_be_hidden()
    how_often.select_option("weekdays")
    expect(weekdays).to_be_visible()
    expect(day_of_month).to_be_hidden()
    how_often.select_option("monthly")
    expect(weekdays).to_be_hidden()
    expect(day_of_month).to_be_visible()
    screenshot(page, "walk-plan-form-monthly-820")

    boxes = page.locator("form input[type=checkbox]:visible")
    assert boxes.count() >= 3  # the areas at least
    for index in range(boxes.count()):
        box = boxes.nth(index)
        own = box.bounding_box()
        row = box.locator("xpath=..").bounding_box()
        assert own["width"] >= 24 and own["height"] >= 24, own
        assert row["height"] >= 44, row  # the box and its label: one 44 px target
        was = box.is_checked()
        page.locator(f"label[for='{box.get_attribute('id')}']").click()  # the label toggles it
        expect(box).to_be_checked(checked=not was)


def test_the_checklist_builder_opens_folded_by_section_under_a_table_of_contents(
    app, db, live_server, page, screenshot
):
    ensure_default_templates()
    admin = UserFactory(role="admin", name="Ada Admin")
    db.session.commit()
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    page.set_viewport_size(TABLET)
    sign_in_in_browser(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/checklists/{five_s.id}/edit")

    sections = page.locator("details.builder-section")
    expect(sections).to_have_count(5)  # Sort, Set in order, Shine, Standardize, Sustain
    for index in range(5):
        expect(sections.nth(index)).not_to_have_attribute("open", "")
    contents = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(contents).to_have_count(5)
    expect(contents.first).to_have_text("Sort")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the builder is {height} px tall, folded"
    screenshot(page, "checklist-builder-folded-820")

    sections.nth(2).locator("> summary").click()
    expect(sections.nth(2).locator("[data-builder-item]").first).to_be_visible()
    expect(sections.nth(0).locator("[data-builder-item]").first).to_be_hidden()
