"""A display mode for the floor: the dark high-contrast theme follows the phone's setting,
each person may choose light, dark or large text on their account page, and the pages stay
readable (axe finds no serious violation, nothing scrolls sideways) in both themes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.auth.models import User
from gemba_walk.tickets.models import KaizenTicket
from tests.browser_checks import no_horizontal_scroll, serious_accessibility_violations
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser

BACKGROUND = "getComputedStyle(document.documentElement).backgroundColor"
# What sticks out past the right edge, when something does (named in the failure).
WIDEST = """[...document.querySelectorAll('main *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((el) => !el.closest('.table-scroll'))
    .slice(0, 3).map((el) => el.outerHTML.slice(0, 70))"""


def test_the_theme_follows_the_phone_until_the_person_chooses(
    app, db, runner, live_server, browser, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Nia Nightshift")
    number = db.session.scalar(sa.select(sa.func.min(KaizenTicket.number)))
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, color_scheme="dark", bypass_csp=True
    )
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    assert page.evaluate(BACKGROUND) == "rgb(0, 0, 0)"  # "auto": the phone is in dark mode

    problems = {}
    pages = {
        "home": "/",
        "tickets": "/tickets/",
        "ticket": f"/tickets/{number}",
        "areas": "/areas/",
        "insight": "/insight/",
        "account": "/account",
    }
    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            found = serious_accessibility_violations(page)
            if found:
                problems[(theme, name)] = found
            screenshot(page, f"theme-{theme}-{name}-360", full_page=False)
    assert problems == {}

    # Nia wants the dark theme and large text whatever the phone says.
    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server}/account")
    assert page.evaluate(BACKGROUND) != "rgb(0, 0, 0)"
    page.get_by_label("Dark, high contrast — for the floor").check()
    page.get_by_label("Large text").check()
    page.get_by_role("button", name="Save display").click()
    page.get_by_text("Display saved.").wait_for()
    assert page.evaluate(BACKGROUND) == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px"
    db.session.rollback()
    stored = db.session.get(User, leader.id)
    assert (stored.theme, stored.large_text) == ("dark", True)
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        assert no_horizontal_scroll(page), (name, page.evaluate(WIDEST))
        screenshot(page, f"theme-large-dark-{name}-360", full_page=False)

    # Back to light, on a phone in dark mode: light it is.
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server}/account")
    page.get_by_label("Light", exact=True).check()
    page.get_by_label("Large text").uncheck()
    page.get_by_role("button", name="Save display").click()
    page.get_by_text("Display saved.").wait_for()
    assert page.evaluate(BACKGROUND) == "rgb(244, 246, 245)"
    context.close()


def test_an_unknown_theme_is_refused_with_words(client, auth, db):
    from tests.conftest import csrf_token_from

    person = UserFactory(role="member")
    auth.login(person.email)
    token = csrf_token_from(client.get("/account").text)
    answer = client.post("/account/display", data={"csrf_token": token, "theme": "neon"})
    assert answer.status_code == 422
    assert "Not a valid choice" in answer.text
    db.session.rollback()
    assert db.session.get(User, person.id).theme == "auto"


# Records the theme on <html> when <body> first appears: set before then, the first paint has it.
THEME_AT_FIRST_BODY = """
new MutationObserver((records, observer) => {
  if (!document.body) return;
  window.themeAtFirstBody = document.documentElement.dataset.theme || null;
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""


def test_the_capture_shell_follows_the_persons_theme_offline_too(
    app, db, runner, live_server, browser, screenshot
):
    from gemba_walk.areas.models import Area
    from tests.pwa_tools import ready_for_the_floor

    demo_plant(runner)
    leader = UserFactory(role="leader", name="Dara Dark")
    leader.theme, leader.large_text = "dark", True
    db.session.commit()
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    context = browser.new_context(viewport={"width": 360, "height": 780}, color_scheme="light")
    context.add_init_script(THEME_AT_FIRST_BODY)
    page = context.new_page()
    ready_for_the_floor(page, live_server, leader.email)  # the phone itself is in light mode
    assert page.evaluate("window.themeAtFirstBody") == "dark"
    assert page.evaluate(BACKGROUND) == "rgb(0, 0, 0)"

    context.set_offline(True)
    for path in (f"/a/{area.qr_token}", "/capture/drafts", "/tickets/never-seen-offline"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("window.themeAtFirstBody") == "dark", path  # before the first paint
        assert page.evaluate(BACKGROUND) == "rgb(0, 0, 0)", path
        assert page.evaluate("document.documentElement.dataset.text") == "large", path
    screenshot(page, "capture-shell-dark-offline-360", full_page=False)
    context.set_offline(False)

    # Light chosen on another device: the shell shows it once it hears from the server, and
    # keeps it for its next first paint.
    db.session.rollback()
    stored = db.session.get(User, leader.id)
    stored.theme, stored.large_text = "light", False
    db.session.commit()
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server}/capture/drafts")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    page.reload()
    assert page.evaluate("window.themeAtFirstBody") == "light"
    assert page.evaluate(BACKGROUND) == "rgb(244, 246, 245)"
    context.close()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_admin_and_capture_pages_pass_axe_in_both_themes(
    app, db, runner, live_server, browser, screenshot, theme
):
    from gemba_walk.areas.models import Area, Site
    from gemba_walk.checklists.models import ChecklistTemplate
    from tests.pwa_tools import wait_for_service_worker

    demo_plant(runner)
    admin = UserFactory(role="admin", name="Ada Admin")
    admin.theme = theme
    db.session.commit()
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
    )
    site = db.session.scalar(sa.select(Site.id))
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, color_scheme="light", bypass_csp=True
    )
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()
    pages = {
        "checklists": "/admin/checklists/",
        "checklist": f"/admin/checklists/{five_s}",
        "checklist-reach": f"/admin/checklists/{five_s}/reach",
        "checklist-edit": f"/admin/checklists/{five_s}/edit",
        "site": f"/admin/sites/{site}",
        "walk-plans": f"/walks/plans?site={site}",
        "walk-board": "/walks/board",
        "drafts": "/capture/drafts",
        "outbox": "/capture/outbox",
        "capture-walks": "/capture/walks",
        "checklist-run": f"/a/{area.qr_token}/start/5s-audit",
    }
    problems = {}
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        if name == "checklist-run":
            page.wait_for_url("**/capture/draft/*")
            page.locator("[data-item], .item, fieldset").first.wait_for()
        expected = "rgb(0, 0, 0)" if theme == "dark" else "rgb(244, 246, 245)"
        assert page.evaluate(BACKGROUND) == expected, name
        if found := serious_accessibility_violations(page):
            problems[name] = found
        screenshot(page, f"axe-{theme}-{name}-360", full_page=False)
    assert problems == {}
    context.close()
