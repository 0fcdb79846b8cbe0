"""The app's life on a phone between releases and syncs: updates wait for the user, Background
Sync wakes the outbox, and a nearly full storage quota is announced before photos are lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from tests.factories import UserFactory, demo_plant
from tests.pwa_tools import attach_photo, outbox_states, ready_for_the_floor

pytestmark = pytest.mark.browser

BUILT_WORKER = Path(__file__).resolve().parent.parent / "static" / "dist" / "sw.js"


def _submit_abnormality_offline(page, live_server, area, text: str) -> None:
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}/start/abnormality-report")
    page.wait_for_url("**/capture/draft/*")
    page.get_by_role("radio", name="Safety", exact=True).check()
    page.get_by_role("radio", name="High").check()
    page.locator(".item textarea").first.fill(text)
    attach_photo(page)  # the report asks for a photo
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()


def test_a_new_release_waits_for_the_user_and_never_reloads_mid_audit(
    app, db, runner, live_server, page, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    ready_for_the_floor(page, live_server, leader.email)
    page.goto(f"{live_server}/a/{area.qr_token}/start/abnormality-report")
    page.wait_for_url("**/capture/draft/*")
    draft_url = page.url
    page.locator(".item textarea").first.fill("Guard rail loose at the stairs")

    # A new release of the app is deployed: the built worker on the server changes.
    original = BUILT_WORKER.read_bytes()
    try:
        BUILT_WORKER.write_bytes(original + b"\n// release 2\n")
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        banner = page.locator("#update-banner")
        banner.wait_for(timeout=20_000)
    finally:
        BUILT_WORKER.write_bytes(original)
    expect(banner).to_contain_text("An update is available.")
    screenshot(page, "update-available-phone")
    # Nothing reloaded by surprise: the answer being typed is still on the screen.
    assert page.url == draft_url
    expect(page.locator(".item textarea").first).to_have_value("Guard rail loose at the stairs")

    page.get_by_role("button", name="Reload").click()
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && "
        "navigator.serviceWorker.controller.state === 'activated'"
    )
    page.locator(".item textarea").first.wait_for()
    expect(page.locator("#update-banner")).to_have_count(0)
    # The draft autosaved before the reload.
    expect(page.locator(".item textarea").first).to_have_value("Guard rail loose at the stairs")


def test_background_sync_from_the_browser_sends_the_outbox(app, db, runner, live_server, page):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-30"))
    ready_for_the_floor(page, live_server, leader.email)
    session = page.context.new_cdp_session(page)
    registrations = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    _submit_abnormality_offline(page, live_server, area, "Emergency stop button cover cracked")

    # The network is back but the server is still out of reach when the page tries.
    page.route("**/api/v1/**", lambda route: route.abort())
    with page.expect_event("requestfailed", lambda request: "/api/v1/" in request.url):
        page.context.set_offline(False)  # the page tries at once, and fails
    assert outbox_states(page) == ["waiting"]
    page.unroute("**/api/v1/**")

    # Later the browser decides the connection is good and fires Background Sync.
    registration_id = next(r["registrationId"] for r in registrations if not r["isDeleted"])
    session.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server,
            "registrationId": registration_id,
            "tag": "gemba-outbox",
            "lastChance": False,
        },
    )
    page.wait_for_function("() => document.documentElement.dataset.sync === 'idle'")
    expect(page.locator(".outbox-entry .state")).to_have_text("Synced", timeout=20_000)
    db.session.rollback()
    assert (
        db.session.scalar(sa.select(sa.func.count(Audit.id)).where(Audit.auditor_id == leader.id))
        == 1
    )


def test_a_nearly_full_storage_quota_is_announced(app, runner, live_server, page, screenshot):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)
    expect(page.locator(".storage-warning")).to_have_count(0)  # a real, roomy quota: no warning

    # A phone nearly full. Chromium's DevTools quota override (Storage.overrideQuotaForOrigin)
    # does not reach navigator.storage.estimate() in this version, so the browser's answer is
    # replaced: the real usage, and a quota only just above it.
    page.add_init_script(
        """(() => {
          const real = navigator.storage.estimate.bind(navigator.storage);
          navigator.storage.estimate = async () => {
            const { usage } = await real();
            return { usage, quota: Math.round(usage / 0.93) };
          };
        })()"""
    )
    page.reload()
    warning = page.locator(".storage-warning")
    warning.wait_for()
    expect(warning).to_contain_text("nearly full")
    expect(warning).to_contain_text("(93%)")
    expect(warning).to_contain_text("Sync now")
    screenshot(page, "storage-nearly-full-phone")
