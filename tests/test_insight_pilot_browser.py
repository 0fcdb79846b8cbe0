"""Insight that reads on a phone: the heat map says it scrolls, no word breaks in the
middle, the items that score lowest are listed, and an area's trend shows the 5S total with the
pillars one tap away."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.audits.models import Audit
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser

# Words split over two lines in the given cells (a break after a hyphen, as in "Over-processing",
# is a break between words).
BROKEN_WORDS = """(selector) => {
    const broken = [];
    for (const cell of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.textContent.matchAll(/[^\\s-]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                if (tops.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""


def test_insight_reads_on_a_phone(app, db, runner, live_server, browser, screenshot):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/?days=365")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")

    hint = page.get_by_text("Swipe the table sideways for every pillar →")
    expect(hint).to_be_visible()
    heat = page.locator("#heat-scroll")
    assert heat.evaluate("el => el.scrollWidth > el.clientWidth")
    # the area column stays in view while the pillars scroll under it
    first_cell = page.locator(".heat-map tbody th").first
    before = first_cell.bounding_box()["x"]
    heat.evaluate("el => { el.scrollLeft = 200; }")
    assert abs(first_cell.bounding_box()["x"] - before) < 1

    assert page.evaluate(BROKEN_WORDS, ".pareto th, .heat-map thead th, .low-items th") == []
    lowest = page.locator(".low-items tbody tr")
    assert lowest.count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "insight-readable-360")

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(hint).to_be_hidden()  # nothing to scroll on a desk (redrawn on resize)

    area_id = db.session.scalar(
        sa.select(Audit.area_id)
        .where(Audit.kind == "5s")
        .group_by(Audit.area_id)
        .having(sa.func.count(Audit.id) > 1)
        .limit(1)
    )
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server}/insight/areas/{area_id}")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    pillars = page.get_by_role("button", name="Show each pillar too")
    expect(pillars).to_have_attribute("aria-pressed", "false")
    screenshot(page, "area-trend-total-360")
    pillars.click()
    expect(page.get_by_role("button", name="Show the 5S total only")).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(page, "area-trend-pillars-360")
    context.close()
