"""The whole floor, in Chromium at 360 px: an operator with a username and no e-mail
signs in on a shared tablet and switches to a colleague; a signed-out operator reports a problem
from a label with a photo, a leader accepts it and the ticket shows where it came from."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.andon.models import AndonReport
from gemba_walk.auth.operations import create_user
from gemba_walk.tickets.models import KaizenTicket
from tests.browser_checks import (
    no_horizontal_scroll,
    serious_accessibility_violations,
    small_touch_targets,
)
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, UserFactory
from tests.pwa_tools import wait_for_service_worker

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}
STRONG = "copper kettle harbour lantern"


@pytest.fixture
def tablet(browser_profile):
    """The tablet at the line: one browser profile kept on disk, shared by everyone."""
    return browser_profile(viewport=NARROW, bypass_csp=True)


def page_holds_up(page) -> None:
    assert no_horizontal_scroll(page), page.url
    assert small_touch_targets(page) == [], page.url
    assert serious_accessibility_violations(page) == [], page.url


def sign_in_with(page, name: str, password: str = STRONG) -> None:
    page.get_by_label("Email or username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_operator_signs_in_with_a_username_on_the_tablet_and_switches_to_a_colleague(
    app, live_server, tablet, screenshot
):
    create_user(None, "Kenji Tanaka", "member", STRONG, username="k.tanaka")
    create_user(None, "María García", "member", STRONG, username="m.garcia")
    page = tablet.pages[0] if tablet.pages else tablet.new_page()

    page.goto(f"{live_server}/login")
    screenshot(page, "floor-sign-in-360")
    page_holds_up(page)
    sign_in_with(page, "k.tanaka")
    page.wait_for_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenji")
    screenshot(page, "floor-home-switch-person-360", full_page=False)
    page_holds_up(page)

    # One tap in the top bar: Kenji is out, the sign-in asks for the next person.
    page.get_by_role("button", name="Switch person").click()
    page.wait_for_url("**/login?**switch=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Next person: sign in")
    expect(page.locator(".flash")).to_contain_text("Kenji Tanaka is signed out.")
    expect(page.get_by_label("Email or username")).to_be_focused()
    screenshot(page, "floor-next-person-360")
    sign_in_with(page, "m.garcia")
    page.wait_for_url(f"{live_server}/")  # back where Kenji was
    expect(page.get_by_role("heading", level=1)).to_contain_text("María")

    # From the capture shell too: the drafts screen offers it in its top bar.
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age").filter(has_text="Updated").wait_for()
    switch = page.get_by_role("button", name="Switch person")
    expect(switch).to_be_visible()
    screenshot(page, "floor-shell-switch-person-360", full_page=False)
    switch.click()
    page.wait_for_url("**/login?**switch=1")
    expect(page.locator(".flash")).to_contain_text("María García is signed out.")
    sign_in_with(page, "k.tanaka")
    page.wait_for_url("**/capture/drafts")
    expect(page.get_by_role("button", name="Switch person")).to_be_visible()  # Kenji again


def test_a_signed_out_operator_reports_from_a_label_and_a_leader_accepts_it(
    app, db, live_server, browser, screenshot
):
    area = AreaFactory(name="Press line 3", code="P-03", andon_enabled=True)
    leader = UserFactory(role="leader", name="Lia Leader")
    token = area.qr_token
    db.session.rollback()

    operator = browser.new_context(viewport=NARROW, has_touch=True, bypass_csp=True)
    page = operator.new_page()
    page.goto(f"{live_server}/a/{token}")  # the phone's camera opened the label
    page.wait_for_url(f"**/andon/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    page_holds_up(page)
    page.get_by_role("button", name="Send the report").click()  # nothing filled in
    expect(page.locator(".error").first).to_be_visible()
    page.get_by_text("Safety", exact=True).click()
    page.get_by_label("What did you see?").fill("Oil on the floor next to press 3, slippery")
    from tests.photo_tools import camera_jpeg

    page.get_by_label("Photo (optional)").set_input_files(
        {"name": "oil.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(1200, 900, 1)}
    )
    page.get_by_label("Your name (optional)").fill("Ana")
    screenshot(page, "floor-andon-report-360")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you — your report is in")
    page_holds_up(page)
    screenshot(page, "floor-andon-thanks-360")
    operator.close()

    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(KaizenTicket.id))) == 0  # not on the board

    office = browser.new_context(viewport=NARROW, has_touch=True, bypass_csp=True)
    page = office.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    # Safety cannot wait for triage: Home shows it as an andon.
    andon = page.locator(".andon-urgent")
    expect(andon).to_contain_text("Safety reported in P-03 · Press line 3")
    expect(page.locator(".andon-waiting")).to_have_count(0)
    andon.get_by_role("link", name="Open triage").click()
    page.wait_for_url("**/andon/triage")
    report = page.locator(".triage__report").first
    expect(report).to_contain_text("Oil on the floor next to press 3")
    expect(report).to_contain_text("Reported by Ana (no account)")
    expect(report.locator("img.triage__photo")).to_be_visible()
    page_holds_up(page)
    screenshot(page, "floor-andon-triage-360")
    expect(report.get_by_label("How serious?")).to_have_value("critical")  # proposed for Safety
    report.get_by_label("How serious?").select_option("high")
    report.get_by_role("button", name="Accept: open a ticket").click()
    page.wait_for_url("**/tickets/**")
    expect(page.locator(".flash")).to_contain_text("Accepted: KZ-")
    expect(page.locator(".from-andon")).to_have_text("Reported at the andon")
    expect(page.locator(".history")).to_contain_text("by Ana, who has no account")
    screenshot(page, "floor-ticket-from-andon-360")
    office.close()

    db.session.rollback()
    accepted = db.session.scalar(sa.select(AndonReport))
    assert accepted.status == "accepted" and accepted.ticket.severity == "high"


@pytest.mark.parametrize(
    "language, sign_in, report",
    [
        ("de", "Anmelden", "Problem melden"),
        ("es", "Iniciar sesión", "Avisar de un problema"),
        ("ja", "サインイン", "問題を報告"),
    ],
)
def test_the_new_pages_hold_at_360_px_in_german_spanish_and_japanese(
    app, db, live_server, browser, screenshot, language, sign_in, report
):
    from gemba_walk.andon.operations import ReportDetails, report_at_andon
    from gemba_walk.audits.photos import PhotoStore

    area = AreaFactory(name="Presswerk Linie 3", code="P-03", andon_enabled=True)
    report_at_andon(
        area,
        ReportDetails("quality", "Schutzgitter an der Presse fehlt seit der Frühschicht", "Ana"),
        PhotoStore(app.config["PHOTO_STORAGE_PATH"]),
    )
    report_at_andon(  # Safety: Home's andon card in each language
        area,
        ReportDetails("safety", "Öl auf dem Boden an Station 4, rutschig"),
        PhotoStore(app.config["PHOTO_STORAGE_PATH"]),
    )
    leader = UserFactory(role="leader", name="Lia Leader", language=language)
    token = area.qr_token
    db.session.rollback()
    context = browser.new_context(
        viewport=NARROW, has_touch=True, bypass_csp=True, locale=f"{language}-{language.upper()}"
    )
    page = context.new_page()
    page.goto(f"{live_server}/login")  # signed out: the browser's language
    expect(page.get_by_role("heading", level=1)).to_have_text(sign_in)
    page_holds_up(page)
    screenshot(page, f"floor-sign-in-360-{language}")
    page.goto(f"{live_server}/a/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text(report)
    page_holds_up(page)
    screenshot(page, f"floor-andon-report-360-{language}")
    page.goto(f"{live_server}/andon/{AreaFactory().qr_token}")
    page_holds_up(page)
    screenshot(page, f"floor-andon-not-enabled-360-{language}")
    sign_in_in_browser_as(page, live_server, leader.email)
    for path, name in (("/", "home"), ("/account", "account"), ("/andon/triage", "triage")):
        page.goto(f"{live_server}{path}")
        if name == "home":
            expect(page.locator(".andon-urgent")).to_contain_text("P-03")
        page_holds_up(page)
        screenshot(page, f"floor-{name}-360-{language}")
    context.close()


def sign_in_in_browser_as(page, base: str, email: str) -> None:
    """Sign in through the form whatever language it speaks (fields found by their names)."""
    from tests.factories import DEFAULT_PASSWORD

    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_on_a_shared_tablet_a_label_opens_its_andon_for_whoever_is_not_signed_in(
    app, live_server, tablet
):
    """The capture shell answers label URLs on a phone where the app was opened: after the
    last person switched out, an andon label goes to its report form (as the server's page
    does) and another label asks for a sign-in."""
    create_user(None, "Kenji Tanaka", "member", STRONG, username="k.tanaka")
    andon = AreaFactory(code="P-03", andon_enabled=True)
    closed = AreaFactory(code="Q-01")
    tokens = andon.qr_token, closed.qr_token
    page = tablet.pages[0] if tablet.pages else tablet.new_page()
    page.goto(f"{live_server}/login")
    sign_in_with(page, "k.tanaka")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age").filter(has_text="Updated").wait_for()
    page.get_by_role("button", name="Switch person").click()
    page.wait_for_url("**/login?**switch=1")

    page.goto(f"{live_server}/a/{tokens[0]}")  # the shell answers; nobody is signed in
    page.wait_for_url(f"**/andon/{tokens[0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    page.goto(f"{live_server}/a/{tokens[1]}")
    expect(page.get_by_text("Nobody is signed in on this phone.")).to_be_visible()
    expect(page.get_by_role("link", name="Report a problem")).to_have_count(0)
