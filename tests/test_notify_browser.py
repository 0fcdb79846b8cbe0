"""Notifications on a phone (real Chromium, live server): the bell counts what is new on every
page and in the capture shell, the page lists it and a tap opens the ticket; the andon shows on
the ticket with its acknowledgement; the service worker shows a pushed notification (delivered
through DevTools' ServiceWorker.deliverPushMessage: the browser's own push service is not
reachable here) and a tap on it opens the ticket."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs
from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, UserFactory
from tests.pwa_tools import wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def plant(db):
    leader = UserFactory(role="leader", name="Lia Leader")
    area = AreaFactory(owner=leader, code="PR-1", name="Press line")
    reporter = UserFactory(role="member", name="Rita Reporter")
    db.session.commit()
    return {"leader": leader, "area": area, "reporter": reporter}


def report(plant, text, severity="medium"):
    ticket = report_problem(
        plant["reporter"],
        area_id=plant["area"].id,
        category="safety",
        severity=severity,
        description=text,
    ).ticket
    jobs.run_pending()  # what the job consumer does
    return ticket


def test_the_bell_counts_the_page_lists_and_a_tap_opens_the_ticket(
    live_server, page, plant, screenshot
):
    sign_in_in_browser(page, live_server, plant["leader"].email)
    bell = page.locator("header .bell")
    expect(bell).to_have_attribute("aria-label", "Notifications")
    ticket = report(plant, "Oil under press 3", severity="critical")

    page.goto(f"{live_server}/tickets/")
    # Opened, andon, due tomorrow: one ticket, one line, the andon's.
    expect(bell.locator(".bell__count")).to_have_text("1")
    bell.click()
    page.wait_for_url("**/notifications")
    expect(page.get_by_text("ANDON KZ-")).to_be_visible()
    screenshot(page, "notifications-phone")
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    page.get_by_role("link", name="ANDON").click()
    page.wait_for_url(f"**/tickets/{ticket.number}")

    andon = page.locator("#andon")
    expect(andon).to_contain_text("Not acknowledged yet.")
    andon.get_by_role("button", name="Acknowledge — I am on it").click()
    expect(page.locator("#andon")).to_contain_text("Acknowledged by Lia Leader")
    screenshot(page, "ticket-andon-acknowledged-phone")
    # Opening the ticket read everything about it: the bell has no number left.
    expect(bell.locator(".bell__count")).to_have_count(0)

    page.goto(f"{live_server}/capture/drafts")
    report(plant, "Forklift horn broken")
    page.reload()
    expect(page.locator("#shell-bell .bell__count")).to_have_text("1")  # the new ticket


def test_the_pages_pass_axe_and_fit_a_small_phone(live_server, browser, db, plant, screenshot):
    # bypass_csp only so axe-core can be injected (ARCHITECTURE.md, "CSP").
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    sign_in_in_browser(page, live_server, plant["leader"].email)
    report(plant, "Oil under press 3")
    pages = {
        "/notifications": "inbox",
        "/notifications/preferences": "preferences",
        "/account/tokens": "api-tokens",
    }
    check_pages(page, live_server, pages, screenshot)
    page.get_by_label("Name").fill("Power BI")
    page.get_by_role("button", name="Make token").click()
    expect(page.locator("#new-token code")).to_contain_text("gw_")
    assert no_horizontal_scroll(page)
    screenshot(page, "api-token-made-360")
    context.close()

    db.session.rollback()  # a fresh snapshot: the live server wrote meanwhile
    admin = UserFactory(role="admin")
    db.session.commit()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    check_pages(
        page,
        live_server,
        {"/admin/notifications": "admin-channels", "/admin/webhooks": "admin-webhooks"},
        screenshot,
    )
    context.close()


def check_pages(page, live_server, pages: dict[str, str], screenshot) -> None:
    for path, name in pages.items():
        page.goto(f"{live_server}{path}")
        screenshot(page, f"{name}-360")
        assert no_horizontal_scroll(page), path
        assert small_touch_targets(page) == [], path
        assert serious_accessibility_violations(page) == [], path
        screenshot(page, f"{name}-360")


def test_the_service_worker_shows_a_push_and_a_tap_opens_the_ticket(
    live_server, page, plant, screenshot
):
    page.context.grant_permissions(["notifications"], origin=live_server)
    sign_in_in_browser(page, live_server, plant["leader"].email)
    ticket = report(plant, "Light curtain bypassed", severity="critical")
    page.goto(f"{live_server}/notifications")
    wait_for_service_worker(page)

    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # the registrations arrive as CDP events on the page's loop
        if any(not r["isDeleted"] and r["scopeURL"].startswith(live_server) for r in registrations):
            break
        page.wait_for_timeout(100)
    registration_id = [
        r["registrationId"]
        for r in registrations
        if not r["isDeleted"] and r["scopeURL"].startswith(live_server)
    ][-1]
    payload = {
        "title": "Andon — Gemba Walk",
        "body": f"ANDON {ticket.display_number}: Light curtain bypassed",
        "url": f"/tickets/{ticket.number}",
        "tag": f"ticket-{ticket.number}",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server, "registrationId": registration_id, "data": json.dumps(payload)},
    )
    # Wait (up to 10 s, checking every 100 ms) for the worker to show it.
    shown = page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          for (let i = 0; i < 100; i += 1) {
            const shown = await registration.getNotifications();
            if (shown.length) {
              return {title: shown[0].title, body: shown[0].body, data: shown[0].data};
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return null;
        }"""
    )
    assert shown == {
        "title": "Andon — Gemba Walk",
        "body": payload["body"],
        "data": {"url": f"/tickets/{ticket.number}"},
    }

    # A tap on the notification: the worker's notificationclick handler opens the ticket.
    worker = page.context.service_workers[0]
    worker.evaluate(
        """async () => {
          const [notification] = await self.registration.getNotifications();
          self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
        }"""
    )
    page.wait_for_url(f"**/tickets/{ticket.number}")
    expect(page.locator("#andon")).to_be_visible()
    screenshot(page, "ticket-opened-from-push-phone")
