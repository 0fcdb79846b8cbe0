"""The header and navigation hold at 360, 820 and 1280 px for an admin, a leader and a
team member — nothing overlaps, "Sign out" stays on one line, the page never scrolls sideways, what
does not fit is one tap away under "More" — and each role's main pages pass the thumb and
axe checks there. Screenshots of each (role, width, page) are kept in tests/artifacts/."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.audits.models import Audit
from gemba_walk.tickets.models import KaizenTicket
from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser

WIDTHS = (360, 820, 1280)
# What each role finds under "More" below 1200 px (the best-ranked four items stay in the bar).
MORE = {
    "member": ["Areas", "Account"],
    "leader": ["Outbox", "Areas", "Account"],
    "admin": ["Outbox", "Areas", "Users", "Account"],
}


def header_problems(page, width: int) -> list[str]:
    """Overlaps in the top bar, a wrapped "Sign out", nav targets off screen."""
    return page.evaluate(
        """(width) => {
        const found = [];
        const box = (el) => el.getBoundingClientRect();
        const visible = (el) => el && el.offsetParent !== null && box(el).width > 0;
        const overlap = (a, b) => !(a.right <= b.left || b.right <= a.left
                                   || a.bottom <= b.top || b.bottom <= a.top);
        const bar = document.querySelector('.topbar');
        const parts = [...bar.querySelectorAll(
            '.brand, .mainnav > ul > li, .account-link, .signout .button')].filter(visible);
        for (let i = 0; i < parts.length; i++)
            for (let j = i + 1; j < parts.length; j++)
                if (!parts[i].contains(parts[j]) && overlap(box(parts[i]), box(parts[j])))
                    found.push(`overlap: ${parts[i].textContent.trim()}`
                               + ` / ${parts[j].textContent.trim()}`);
        const signOut = bar.querySelector('.signout .button');
        if (signOut && box(signOut).height > 52)
            found.push(`Sign out wraps (${box(signOut).height}px)`);
        for (const el of document.querySelectorAll('.mainnav > ul > li')) {
            if (!visible(el)) continue;
            const r = box(el);
            if (r.left < 0 || r.right > width + 0.5)
                found.push(`off screen: ${el.textContent.trim()}`);
        }
        return found;
    }""",
        width,
    )


@pytest.fixture
def plant(app, runner, db):
    demo_plant(runner)
    return {
        "number": db.session.scalar(sa.select(sa.func.min(KaizenTicket.number))),
        "audit": db.session.scalar(sa.select(Audit.uuid).order_by(Audit.id).limit(1)),
    }


@pytest.mark.parametrize("role", ["member", "leader", "admin"])
def test_header_and_pages_hold_at_phone_tablet_and_desktop_widths(
    browser, live_server, plant, screenshot, role
):
    person = UserFactory(role=role, name=f"Pat {role.title()}")
    context = browser.new_context(viewport={"width": 360, "height": 780}, bypass_csp=True)
    page = context.new_page()
    sign_in_in_browser(page, live_server, person.email)
    pages = {
        "home": "/",
        "tickets": "/tickets/",
        "ticket": f"/tickets/{plant['number']}",
        "areas": "/areas/",
        "account": "/account",
        "audit-report": f"/insight/audits/{plant['audit']}",
    }
    if role != "member":
        pages["insight"] = "/insight/"
    if role == "admin":
        pages["users"] = "/admin/users/"
        pages["checklists"] = "/admin/checklists/"
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 780 if width < 800 else 900})
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            screenshot(page, f"nav-{role}-{width}-{name}", full_page=False)
            found = header_problems(page, width) + small_touch_targets(page)
            if not no_horizontal_scroll(page):
                found.append("scrolls sideways")
            if width == 360:  # axe once per page; the markup is the same at every width
                found += serious_accessibility_violations(page)
            if found:
                problems[(width, name)] = found

        page.goto(f"{live_server}/tickets/")
        nav = page.get_by_role("navigation", name="Main")
        if width < 1200:
            nav.get_by_text("More", exact=True).click()
            menu = page.locator(".more-menu__list")
            assert [t.strip() for t in menu.get_by_role("link").all_inner_texts()] == MORE[role]
            screenshot(page, f"nav-{role}-{width}-more-open", full_page=False)
            if header_problems(page, width) or not no_horizontal_scroll(page):
                problems[(width, "more-open")] = header_problems(page, width)
            page.keyboard.press("Escape")
            expect(menu).not_to_be_visible()
        else:
            expect(nav.get_by_text("More", exact=True)).not_to_be_visible()
            for label in MORE[role][:-1]:
                expect(nav.get_by_role("link", name=label)).to_be_visible()
            expect(page.get_by_role("link", name="Account")).to_be_visible()
    context.close()
    assert problems == {}
