"""Capture on the phone: the standard score levels are shown once for the checklist and an
item's own levels under that item, each numbered once; a pillar's badge says how far it is, not
"–"; and the phone says "Updated just now" instead of "Field data from 02:51 AM"."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.core.database import write_transaction
from tests.factories import UserFactory, demo_plant
from tests.pwa_tools import ready_for_the_floor

pytestmark = pytest.mark.browser

OWN_LEVELS = [
    "Aisle blocked, no markings",
    "Markings worn, pallets in the aisle",
    "Markings visible, items left now and then",
    "Clear most of the time",
    "Always clear, markings checked",
    "Team improves the layout itself",
]


def test_the_auditor_reads_each_items_own_levels_and_how_far_each_pillar_is(
    db, runner, live_server, page, screenshot
):
    demo_plant(runner)
    with write_transaction():
        item = db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.key == "sort-1"))
        for row in item:
            row.levels = list(OWN_LEVELS)
    leader = UserFactory(role="leader", name="Lia Leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    ready_for_the_floor(page, live_server, leader.email)
    expect(page.locator("#pack-age")).to_have_text("Updated just now")

    page.goto(f"{live_server}/a/{area.qr_token}/start/5s-audit")
    page.locator("fieldset.scores").first.wait_for()
    # The standard scale once, at the top; only the item with its own levels repeats any.
    expect(page.locator("details.levels")).to_have_count(2)
    general = page.locator("details.levels").first
    general.locator("summary").click()
    expect(general.locator("li").first).to_have_text("0 Not started: no sign of this practice")
    own = page.locator(".item").first.locator("details.levels")
    own.locator("summary").click()
    assert own.locator("li").all_text_contents() == [
        f"{score} {text}" for score, text in enumerate(OWN_LEVELS)
    ]

    sort = page.locator(".checklist-section").first
    badge = sort.locator(".pillar-score")
    expect(badge).to_have_text("0 of 3 scored")
    sort.locator("fieldset.scores").nth(0).locator("label.score-choice").nth(4).click()
    expect(badge).to_have_text("1 of 3 scored · 4.0")
    for index in (1, 2):
        sort.locator("fieldset.scores").nth(index).locator("label.score-choice").nth(3).click()
    expect(badge).to_have_text(re.compile(r"· all scored$"))
    screenshot(page, "capture-levels-and-badges-phone")
