"""A phone whose clock runs a day ahead: before it syncs, My walks
marks done the walk the server will mark, by the same rule (the server's clock, read from the
field pack's answer); after the sync the server stored the received time, the phone's beside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.audits.models import Audit
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.localtime import local_today
from gemba_walk.walks import operations
from gemba_walk.walks.models import PlannedWalk
from gemba_walk.walks.operations import PlanDetails
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, SiteFactory, UserFactory
from tests.pwa_tools import score_all, wait_for_service_worker

pytestmark = pytest.mark.browser
BERLIN = "Europe/Berlin"


def test_a_phone_a_day_ahead_marks_done_the_walk_the_server_marks(
    app, db, live_server, browser_profile, screenshot
):
    ensure_default_templates()
    site = SiteFactory(name="Werk Berlin", timezone=BERLIN)
    line = AreaFactory(site=site, code="L-1", name="Assembly line 1")
    sup = UserFactory(role="leader", name="Sam Supervisor")
    layer = operations.create_layer(site, "Supervisor", 2)
    operations.set_layer(site, sup, layer)
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
    )
    today = local_today(BERLIN)
    operations.create_plan(
        site, PlanDetails("Supervisor 5S", five_s, "daily", [line.id], person_ids=[sup.id])
    )
    db.session.commit()

    phone = browser_profile(bypass_csp=True)
    ahead = datetime.now(UTC) + timedelta(days=1)
    phone.clock.set_system_time(ahead)  # this phone's clock runs a day ahead
    page = phone.pages[0] if phone.pages else phone.new_page()
    sign_in_in_browser(page, live_server, sup.email)
    page.goto(f"{live_server}/capture/walks")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()
    assert page.evaluate("Date.now()") > datetime.now(UTC).timestamp() * 1000 + 23 * 3600_000

    phone.set_offline(True)
    page.goto(f"{live_server}/a/{line.qr_token}?scan=in_app")
    page.get_by_role("link", name="Start 5S audit").first.click()
    page.wait_for_url("**/capture/draft/*")
    score_all(page, 4)
    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")
    page.get_by_text("Waiting to sync").wait_for()

    page.goto(f"{live_server}/capture/walks")
    page.get_by_role("heading", name="My walks").wait_for()
    waiting = page.locator('.my-walk[data-state="waiting"]')
    expect(waiting).to_have_count(1)  # today's walk, as the server will see it
    expect(waiting).to_contain_text("Assembly line 1")
    screenshot(page, "my-walks-clock-ahead-phone")

    phone.set_offline(False)
    page.goto(f"{live_server}/capture/outbox")
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced", exact=True).wait_for(timeout=20_000)

    db.session.rollback()  # read what the server committed
    audit = db.session.scalar(sa.select(Audit).where(Audit.auditor_id == sup.id))
    assert audit.submitted_at <= datetime.now(UTC).replace(tzinfo=None)
    assert audit.phone_submitted_at is not None and audit.phone_submitted_at > audit.submitted_at
    walk = db.session.scalar(sa.select(PlannedWalk).where(PlannedWalk.audit_id == audit.id))
    assert walk is not None and walk.local_date == today  # the one the phone marked
