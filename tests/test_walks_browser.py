"""Leader standard work on a phone: a supervisor sees today's planned walk, goes offline, scans
the label, runs the planned checklist and syncs; the board shows the card done with findings,
and yesterday's skipped walk as missed. The board is looked at on a phone, a desk and A3."""

from __future__ import annotations

import shutil
import subprocess
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from gemba_walk.audits.models import Finding
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.localtime import local_today
from gemba_walk.walks import operations, planning, queries
from gemba_walk.walks.models import PlannedWalk
from gemba_walk.walks.operations import PlanDetails
from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import ARTIFACTS, sign_in_in_browser
from tests.factories import AreaFactory, SiteFactory, UserFactory
from tests.pwa_tools import wait_for_service_worker

pytestmark = pytest.mark.browser
BERLIN = "Europe/Berlin"


@pytest.fixture
def phone(browser_profile):
    return browser_profile(bypass_csp=True)


def test_a_supervisor_walks_the_planned_area_offline_and_the_board_shows_it(
    app, db, live_server, phone, screenshot
):
    ensure_default_templates()
    site = SiteFactory(name="Werk Berlin", timezone=BERLIN)
    line = AreaFactory(site=site, code="L-1", name="Assembly line 1")
    other = AreaFactory(site=site, code="L-2", name="Assembly line 2")
    sup = UserFactory(role="leader", name="Sam Supervisor")
    layer = operations.create_layer(site, "Supervisor", 2)
    operations.set_layer(site, sup, layer)
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
    )
    today = local_today(BERLIN)
    operations.create_plan(
        site,
        PlanDetails(
            "Supervisor 5S",
            five_s,
            "daily",
            [line.id],
            person_ids=[sup.id],
            starts_on=today - timedelta(days=1),  # yesterday's walk was skipped
        ),
    )
    operations.create_plan(
        site, PlanDetails("Line 2 5S", five_s, "weekly", [other.id], person_ids=[sup.id])
    )

    page = phone.pages[0] if phone.pages else phone.new_page()
    sign_in_in_browser(page, live_server, sup.email)
    home_walks = page.locator(".my-walk")
    home_walks.first.wait_for()
    expect(page.locator('.my-walk[data-state="due"]')).to_have_count(2)
    expect(page.locator('.my-walk[data-state="missed"]')).to_have_count(1)
    expect(page.locator('.my-walk[data-state="missed"]')).to_contain_text("counts as late")
    assert no_horizontal_scroll(page)
    screenshot(page, "walks-home-phone")

    page.goto(f"{live_server}/capture/walks")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()

    phone.set_offline(True)
    page.goto(f"{live_server}/capture/walks")
    page.get_by_role("heading", name="My walks").wait_for()
    due = page.locator('.my-walk[data-state="due"]')
    assert due.count() == 2 and "Assembly line 1" in due.first.inner_text()
    screenshot(page, "walks-shell-offline-phone")

    page.goto(f"{live_server}/a/{line.qr_token}?scan=in_app")  # the in-app scanner opened it
    page.get_by_text("Scanned at the gemba").wait_for()
    expect(page.get_by_text("Planned: 5S audit")).to_be_visible()
    screenshot(page, "walks-area-planned-phone")
    page.get_by_role("link", name="Start the planned 5S audit").click()
    page.wait_for_url("**/capture/draft/*")
    groups = page.locator("fieldset.scores")
    groups.first.wait_for()
    for index in range(groups.count()):
        groups.nth(index).locator("label.score-choice").nth(1 if index == 0 else 4).click()
    page.locator(".finding textarea").first.fill("Pallets parked in the walkway")
    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")
    page.get_by_text("Waiting to sync").wait_for()

    page.goto(f"{live_server}/capture/walks")
    page.locator('.my-walk[data-state="waiting"]').wait_for()

    phone.set_offline(False)
    page.goto(f"{live_server}/capture/outbox")
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced", exact=True).wait_for(timeout=20_000)

    db.session.rollback()  # read what the server committed
    walk = db.session.scalar(
        sa.select(PlannedWalk).where(
            PlannedWalk.local_date == today, PlannedWalk.area_id == line.id
        )
    )
    assert walk.audit_id is not None and walk.audit.scanned_at is not None
    findings = db.session.scalar(
        sa.select(sa.func.count()).select_from(Finding).where(Finding.audit_id == walk.audit_id)
    )
    assert findings == 1

    page.goto(f"{live_server}/walks/board?site={site.id}")
    today_card = page.locator("tbody tr").first.locator("td").last.locator(".kcard")
    assert today_card.get_attribute("data-state") == "findings"
    expect(today_card).to_contain_text("Done, findings 1")
    yesterday_card = page.locator("tbody tr").first.locator("td").nth(-2).locator(".kcard")
    assert yesterday_card.get_attribute("data-state") == "missed"
    expect(yesterday_card).to_contain_text("Missed")
    # The page's numbers are the database's.
    board = queries.board(site, today - timedelta(days=6), today)
    shown = {
        s: page.locator(f'.kamishibai tbody [data-state="{s}"]').count()
        for s in ("findings", "missed", "due")
    }
    assert shown == {"findings": 1, "missed": 1, "due": 1}
    assert board.counts["findings"] == 1 and board.counts["missed"] == 1
    assert no_horizontal_scroll(page)
    assert serious_accessibility_violations(page) == []
    assert small_touch_targets(page) == []
    screenshot(page, "walks-board-390")
    page.set_viewport_size({"width": 360, "height": 740})
    assert no_horizontal_scroll(page)
    screenshot(page, "walks-board-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "walks-board-1280")

    today_card = page.locator("tbody tr").first.locator("td").last.locator(".kcard")
    today_card.click()
    page.wait_for_url("**/insight/audits/*")

    # Printed for the wall: A3 landscape (420 x 297 mm), looked at as an image.
    page.goto(f"{live_server}/walks/board?site={site.id}&days=28")
    pdf_path = ARTIFACTS / "walks-board-a3.pdf"
    page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
    first = PdfReader(str(pdf_path)).pages[0]
    width_mm, height_mm = (
        float(v) / 72 * 25.4 for v in (first.mediabox.width, first.mediabox.height)
    )
    assert round(width_mm) == 420 and round(height_mm) == 297
    if shutil.which("pdftoppm"):  # rendered for a person to look at, when poppler is here
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf_path),
                str(ARTIFACTS / "walks-board-a3"),
            ],
            check=True,
        )

    # Big screen: no navigation, large type, refreshing itself.
    page.goto(f"{live_server}/walks/board?site={site.id}&screen=big")
    expect(page.locator("nav")).to_have_count(0)
    assert page.locator("body").get_attribute("data-refresh-seconds") == "60"
    screenshot(page, "walks-board-big-screen")


def test_the_walk_pages_work_at_360px_for_a_thumb(app, db, live_server, phone, screenshot):
    from tests.test_area_pages_browser import page_problems

    ensure_default_templates()
    site = SiteFactory(name="Werk Berlin", timezone=BERLIN)
    areas = [AreaFactory(site=site, code=f"L-{i}", name=f"Line {i}") for i in (1, 2, 3)]
    lead = UserFactory(role="leader", name="Sam Supervisor")
    layer = operations.create_layer(site, "Supervisor", 2)
    operations.set_layer(site, lead, layer)
    operations.create_shift(site, "Night", time(22), time(6), "01234")
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
    )
    plan = operations.create_plan(
        site,
        PlanDetails(
            "Supervisor 5S",
            five_s,
            "daily",
            [a.id for a in areas],
            layer_id=layer.id,
            rotate=True,
            starts_on=local_today(BERLIN) - timedelta(days=3),
        ),
    )
    planning.ensure_planned(site.id)
    walk = db.session.scalar(sa.select(PlannedWalk.id).limit(1))
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in_in_browser(page, live_server, lead.email)
    paths = {
        "walks-plans": f"/walks/plans?site={site.id}",
        "walks-plan-new": f"/walks/plans/new?site={site.id}",
        "walks-plan-edit": f"/walks/plans/{plan.id}",
        "walks-walk": f"/walks/{walk}",
        "walks-board-people": f"/walks/board?site={site.id}&by=person&days=14",
    }
    problems = {}
    for name, path in paths.items():
        page.goto(f"{live_server}{path}")
        screenshot(page, f"{name}-360")
        if found := page_problems(page):
            problems[name] = found
    assert problems == {}
