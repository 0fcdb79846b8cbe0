"""Area pages on a phone, with the demo plant: readable, thumb-sized, accessible."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import PHONE, sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_phone(app, runner, live_server, browser):
    """An admin signed in on a phone, the demo plant loaded; CSP bypassed only for axe."""
    demo_plant(runner)
    admin = UserFactory(role="admin")
    context = browser.new_context(viewport=PHONE, has_touch=True, bypass_csp=True)
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    yield page
    context.close()


def page_problems(page) -> list[str]:
    found = serious_accessibility_violations(page) + small_touch_targets(page)
    if not no_horizontal_scroll(page):
        found.append("scrolls sideways")
    return found


def problems_on(page, live_server, paths: dict, screenshot) -> dict:
    """Visit each page, keep a screenshot of it, and list what a thumb or axe would trip on."""
    problems = {}
    for name, path in paths.items():
        page.goto(f"{live_server}{path}")
        screenshot(page, f"{name}-phone")
        if found := page_problems(page):
            problems[name] = found
    return problems


def test_area_pages_work_at_360px_for_a_thumb(admin_phone, live_server, db, screenshot):
    page = admin_phone
    page.set_viewport_size({"width": 360, "height": 780})
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    paths = {
        "areas-list": "/areas/",
        "area-page": f"/a/{area.qr_token}",
        "area-edit": f"/areas/{area.id}/edit",
        "area-new": "/areas/new",
        "scan": "/scan",
        "sites": "/admin/sites/",
    }
    assert problems_on(page, live_server, paths, screenshot) == {}


def test_admin_prints_labels_for_two_selected_areas(admin_phone, live_server):
    page = admin_phone
    page.goto(f"{live_server}/areas/")
    page.get_by_label("Select A-01 for labels").check()
    page.get_by_label("Select A-12 for labels").check()
    page.get_by_role("button", name="Print labels for selected").click()
    expect(page.locator(".label__code")).to_have_text(["A-01", "A-12"])  # the labels page loaded


def test_capture_screens_work_at_360px_for_a_thumb(admin_phone, live_server, db, screenshot):
    from tests.pwa_tools import wait_for_service_worker

    page = admin_phone
    page.set_viewport_size({"width": 360, "height": 780})
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-10"))
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()
    problems = {}
    for name, path in {
        "shell-area": f"/a/{area.qr_token}",
        "shell-5s-audit": f"/a/{area.qr_token}/start/5s-audit",
        "shell-abnormality": f"/a/{area.qr_token}/start/abnormality-report",
        "shell-drafts": "/capture/drafts",
        "shell-outbox": "/capture/outbox",
    }.items():
        page.goto(f"{live_server}{path}")
        page.wait_for_function("() => document.body.dataset.ready === 'true'")
        page.locator("h1").first.wait_for()
        screenshot(page, f"{name}-phone")
        if found := page_problems(page):
            problems[name] = found
    assert problems == {}


def test_ticket_pages_work_at_360px_for_a_thumb(admin_phone, live_server, db, screenshot):
    from gemba_walk.tickets.models import KaizenTicket

    page = admin_phone
    page.set_viewport_size({"width": 360, "height": 780})
    recurred = db.session.scalar(sa.select(KaizenTicket).order_by(KaizenTicket.number).limit(1))
    paths = {
        "board": "/tickets/",
        "board-filtered": "/tickets/?status=all&overdue=1&sort=due",
        "ticket": f"/tickets/{recurred.number}",
        "kaizen-card": f"/tickets/{recurred.number}/card",
        "report-problem": "/tickets/new",
        "insight": "/insight/",
        "audit-report": f"/insight/audits/{db.session.scalar(sa.select(Audit.uuid).limit(1))}",
        "area-insight": f"/insight/areas/{db.session.scalar(sa.select(Area.id).limit(1))}",
        "home": "/",
    }
    assert problems_on(page, live_server, paths, screenshot) == {}
