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
