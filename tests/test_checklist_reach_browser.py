"""A checklist assigned to one area: the phone, offline, offers it there and nowhere else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.checklists import builder
from gemba_walk.checklists.models import ChecklistTemplate
from tests.factories import UserFactory, demo_layout
from tests.pwa_tools import ready_for_the_floor

pytestmark = pytest.mark.browser


def test_the_phone_offers_a_checklist_only_in_the_areas_it_applies_to(app, db, live_server, page):
    demo_layout(app)
    waste = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "waste-walk")
    )
    chosen = db.session.scalar(sa.select(Area).where(Area.code == "A-01"))
    other = db.session.scalar(sa.select(Area).where(Area.code == "A-02"))
    builder.set_reach(waste, "areas", [], [chosen.id])
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)  # what follows is the phone's own screen, from its pack
    page.goto(f"{live_server}/a/{other.qr_token}")
    page.get_by_role("heading", name=other.name).wait_for()
    starts = page.locator(".capture-actions a")
    assert "Start 5S audit" in starts.all_inner_texts()
    assert not any("Waste walk" in text for text in starts.all_inner_texts())

    page.goto(f"{live_server}/a/{chosen.qr_token}")
    page.get_by_role("heading", name=chosen.name).wait_for()
    assert any("Waste walk" in text for text in starts.all_inner_texts())
    page.context.set_offline(False)


def test_an_admin_chooses_the_areas_on_a_narrow_phone(app, db, live_server, browser):
    from tests.conftest import sign_in_in_browser
    from tests.test_area_pages_browser import page_problems

    demo_layout(app)
    admin = UserFactory(role="admin")
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    waste = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "waste-walk")
    )
    page.goto(f"{live_server}/admin/checklists/{waste.id}")
    page.get_by_role("link", name="Change where it applies").click()
    assert page_problems(page) == []
    page.get_by_label("The areas chosen below").check()
    page.get_by_label("A-01 · ", exact=False).check()
    page.get_by_role("button", name="Save where it applies").click()
    page.get_by_text("applies to: A-01").wait_for()
    db.session.rollback()
    assert [area.code for area in waste.areas] == ["A-01"]
    context.close()
