"""WebKit, the engine of every iPhone browser: the offline abnormality report with a photo, in
WebKitGTK through its WebDriver under Xvfb — on a profile kept on disk and in private mode.

"Offline" is a proxy between the browser and gunicorn that resets every connection
(``tests/webkit_tools.py``; docs/TESTING.md)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Area
from tests.factories import DEFAULT_PASSWORD, UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.test_sync_faults_browser import stored_once
from tests.webkit_tools import (
    BLOB_IN_INDEXEDDB,
    NetworkSwitch,
    Xvfb,
    missing_webkit,
    outbox_states,
    start_webkit,
    tap,
    wait_for_service_worker,
    wait_for_text,
    wait_until,
)

MISSING = missing_webkit()  # never fail for a browser a developer's laptop does not have
pytestmark = [
    pytest.mark.webkit,
    pytest.mark.skipif(MISSING is not None, reason=str(MISSING)),
    # WebKitGTK's storage now and then stops answering for a whole browser session (seen in
    # about one run in three on this machine, not understood yet: docs/TESTING.md); a fresh browser
    # gets up to four more tries, and every failure is still printed in the report.
    pytest.mark.flaky(reruns=4),
]


@pytest.fixture(scope="session")
def x_display():
    display = Xvfb()
    yield display.display
    display.stop()


@pytest.fixture
def network(live_server):
    """The phone's network: the browser reaches the live server only through this switch."""
    switch = NetworkSwitch(live_server)
    yield switch
    switch.stop()


@pytest.fixture
def webkit(x_display, tmp_path):
    """Start WebKit: ``webkit(private=True)`` or (default) on a profile kept on disk."""
    drivers = []

    def start(private: bool = False):
        log = tmp_path / "webkit.log"
        profile = None if private else tmp_path / "webkit-profile"
        driver = start_webkit(x_display, log, profile=profile, private=private)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()


@pytest.fixture
def leader_on_the_floor(app, db, runner, tmp_path):
    """The demo plant, a leader, the area they will report in and a camera photo on disk."""
    demo_plant(runner)
    leader = UserFactory(role="leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-20"))
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(camera_jpeg(2000, 1500, orientation=1))
    return leader, area, photo


def sign_in(driver, base: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(DEFAULT_PASSWORD)
    driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
    wait_until(driver, lambda d: d.current_url == f"{base}/", "sign-in did not land on Home")


def ready_for_the_floor(driver, base: str, email: str) -> None:
    """Signed in, the service worker in control and the field pack on the phone."""
    sign_in(driver, base, email)
    driver.get(f"{base}/capture/drafts")
    wait_for_service_worker(driver)
    wait_for_text(driver, "body", "Updated ")


def pick(driver, choice: str) -> None:
    """Tap the radio button labelled ``choice``."""
    from selenium.webdriver.common.by import By

    label = f"//label[contains(@class, 'choice')][normalize-space()='{choice}']"
    tap(driver.find_element(By.XPATH, label))
    assert driver.find_element(By.XPATH, f"{label}//input").is_selected()


def report_abnormality_with_photo(driver, base: str, area, photo, text: str) -> str:
    """Open the label, fill in the report, attach the photo; the photo picker's status line."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/a/{area.qr_token}")
    tap(wait_for_text(driver, "a", "Report abnormality"))
    wait_until(driver, lambda d: "/capture/draft/" in d.current_url, "no draft opened")
    wait_for_text(driver, "label.choice", "Environment")
    pick(driver, "Environment")
    pick(driver, "High")
    driver.find_element(By.CSS_SELECTOR, ".item textarea").send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
    status = driver.find_element(By.CSS_SELECTOR, ".photo-picker [role=status]")
    wait_until(
        driver,
        lambda d: status.text and not status.text.startswith("Preparing photo"),
        "the photo was never prepared",
    )
    return status.text


def submit_and_sync(driver, network: NetworkSwitch) -> None:
    from selenium.webdriver.common.by import By

    tap(wait_for_text(driver, "button", "Submit — send when online"))
    try:
        wait_until(driver, lambda d: "/capture/outbox" in d.current_url, "no outbox after submit")
    except Exception as error:
        shown = driver.execute_script(
            "return [location.href, document.querySelector('[role=alert]')?.textContent || '',"
            " document.activeElement?.outerHTML?.slice(0, 120)]"
        )
        raise AssertionError(f"no outbox after submit: {shown}") from error
    wait_for_text(driver, "body", "Waiting to sync")
    assert outbox_states(driver) == ["waiting"]

    network.online = True  # back in coverage; WebKit has no Background Sync: tap "Sync now"
    wait_until(
        driver,
        lambda d: d.execute_script("return document.documentElement.dataset.sync !== 'running'"),
        "a sync is still running",
    )
    tap(driver.find_element(By.ID, "sync-now"))
    wait_for_text(driver, ".outbox-entry .state", "Synced")
    assert outbox_states(driver) == ["synced"]


def test_offline_report_with_photo_on_a_profile_kept_on_disk(
    leader_on_the_floor, live_server, network, webkit, db
):
    leader, area, photo = leader_on_the_floor
    driver = webkit()
    ready_for_the_floor(driver, network.url, leader.email)

    network.online = False
    status = report_abnormality_with_photo(
        driver, network.url, area, photo, "Hydraulic oil under press 4"
    )
    assert status.startswith("Photo kept"), status
    wait_until(driver, lambda d: d.find_elements("css selector", "img.thumb"), "no thumbnail")
    assert network.refused > 0  # the label really was opened with no network
    submit_and_sync(driver, network)
    stored_once(db, leader, "Hydraulic oil under press 4")


def test_offline_report_with_photo_in_private_mode(
    leader_on_the_floor, live_server, network, webkit, db
):
    """Safari's private browsing: WebKit's ephemeral storage. Its IndexedDB refuses Blobs
    ("Error preparing Blob/File data to be stored in object store"), so photos must be kept
    as bytes."""
    leader, area, photo = leader_on_the_floor
    driver = webkit(private=True)
    ready_for_the_floor(driver, network.url, leader.email)

    network.online = False
    status = report_abnormality_with_photo(
        driver, network.url, area, photo, "Forklift horn not working"
    )
    if not status.startswith("Photo kept"):
        blob = driver.execute_script(BLOB_IN_INDEXEDDB)
        pytest.fail(f"{status!r} on screen; a Blob put into IndexedDB here: {blob!r}")
    wait_until(driver, lambda d: d.find_elements("css selector", "img.thumb"), "no thumbnail")
    submit_and_sync(driver, network)
    stored_once(db, leader, "Forklift horn not working")
