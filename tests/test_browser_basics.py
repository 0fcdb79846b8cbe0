"""In a real Chromium at phone size: sign in, see the home page, reach everything with a thumb."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_leader_signs_in_on_a_phone_and_sees_home(app, live_server, page, screenshot):
    leader = UserFactory(role="leader", name="Lina Leader")
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    screenshot(page, "login-phone")
    assert no_horizontal_scroll(page)
    sign_in_in_browser(page, live_server, leader.email)
    expect(page.get_by_role("heading", name="Good to see you, Lina")).to_be_visible()
    expect(page.get_by_text("Signed in as Lina Leader.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    box = nav.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(844, abs=2)  # bottom bar on a phone
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    screenshot(page, "home-phone")


def test_wrong_password_shows_the_message_next_to_the_field(app, live_server, page):
    member = UserFactory()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_text("Email, username or password is incorrect.")
    expect(error).to_be_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    # app.js (a module, run after parsing) moves the focus to the field to correct
    page.wait_for_function("() => document.activeElement?.id === 'password'", timeout=5000)


def test_navigation_moves_to_the_top_on_a_wide_screen(app, live_server, browser, screenshot):
    admin = UserFactory(role="admin")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    nav = page.get_by_role("navigation", name="Main")
    assert nav.bounding_box()["y"] < 60
    nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    screenshot(page, "users-desktop")
    context.close()


@pytest.mark.parametrize("path", ["/login", "/", "/admin/users/", "/admin/users/new"])
def test_pages_have_no_serious_accessibility_violations(app, live_server, browser, path):
    admin = UserFactory(role="admin")
    # axe is injected as an inline script, which our CSP rightly forbids: bypass it for the audit.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    if path != "/login":
        sign_in_in_browser(page, live_server, admin.email)
    page.goto(f"{live_server}{path}")
    assert serious_accessibility_violations(page) == []
    assert small_touch_targets(page) == []
    context.close()


def test_pages_run_under_the_csp_without_errors(app, live_server, page):
    member = UserFactory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in_in_browser(page, live_server, member.email)
    page.reload()
    assert errors == []
