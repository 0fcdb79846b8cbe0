"""The in-app scanner reads a label from the phone's camera (Chromium's fake camera here)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import AreaScan
from tests.conftest import CHROMIUM_ARGS, PHONE, sign_in_in_browser
from tests.factories import AreaFactory, UserFactory
from tests.qr_tools import write_fake_camera_video

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_with_camera(browser_type, browser_type_launch_args, tmp_path):
    """A phone-sized browser whose camera sees a QR code of the given text."""
    launched = []

    def open_phone(qr_text: str):
        video = write_fake_camera_video(qr_text, tmp_path / f"camera-{len(launched)}.y4m")
        args = CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
        launched.append(browser)
        context = browser.new_context(viewport=PHONE, has_touch=True)
        return context.new_page()

    yield open_phone
    for browser in launched:
        browser.close()


def test_leader_scans_a_label_with_the_in_app_scanner(
    app, db, live_server, phone_with_camera, screenshot
):
    leader = UserFactory(role="leader")
    area = AreaFactory(code="A-12", name="Assembly line 1")
    page = phone_with_camera(f"{live_server}/a/{area.qr_token}")
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/scan")
    screenshot(page, "scanner-phone")
    # The area page reports the scan to the server in the background: wait for its answer.
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/scans") and r.request.method == "POST", timeout=15_000
    ) as reported:
        page.get_by_role("button", name="Start camera").click()
        page.wait_for_url(f"{live_server}/a/{area.qr_token}?scan=in_app", timeout=10_000)
    page.get_by_role("heading", name="Assembly line 1").wait_for()
    expect(page.get_by_text("Scanned at the gemba")).to_be_visible()
    screenshot(page, "area-after-scan-phone")
    assert reported.value.status == 201
    db.session.rollback()  # see what the server committed
    scan = db.session.scalars(sa.select(AreaScan)).one()
    assert (scan.area_id, scan.user_id, scan.method) == (area.id, leader.id, "in_app")


@pytest.mark.parametrize(
    "qr_text, message",
    [
        (
            "https://gemba.other-plant.example/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "This label belongs to another Gemba Walk (gemba.other-plant.example), not this one.",
        ),
        ("Pallet 4711 — 24 boxes", "This QR code is not a Gemba Walk area label."),
    ],
)
def test_a_qr_code_that_is_not_our_label_is_explained_without_leaving(
    app, live_server, phone_with_camera, qr_text, message
):
    member = UserFactory()
    page = phone_with_camera(qr_text)
    sign_in_in_browser(page, live_server, member.email)
    page.goto(f"{live_server}/scan")
    page.get_by_role("button", name="Start camera").click()
    status = page.locator("#scanner-status")
    status.filter(has_text=message).wait_for(timeout=10_000)
    assert page.url == f"{live_server}/scan"


def test_without_a_camera_the_scanner_offers_the_typed_code(app, live_server, page):
    member = UserFactory()
    area = AreaFactory(code="C-07")
    sign_in_in_browser(page, live_server, member.email)
    page.goto(f"{live_server}/scan")
    page.get_by_role("button", name="Start camera").click()
    status = page.locator("#scanner-status")
    status.filter(has_text="Type the area code below").wait_for(timeout=10_000)
    expect(page.get_by_label("Area code")).to_be_focused()
    page.get_by_label("Area code").fill("c07")  # any case, with or without the hyphen
    page.get_by_role("button", name="Open area").click()
    page.wait_for_url(f"{live_server}/a/{area.qr_token}?via=code")
    expect(page.get_by_role("heading", name=area.name)).to_be_visible()
    expect(page.get_by_text("Opened by its code, not by a scan")).to_be_visible()
