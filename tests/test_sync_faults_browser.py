"""Faults on the way to the server — a 500, a cut upload, a server stopped mid-batch, an expired
session — each end with every record on the server exactly once.

(The answer lost after the server stored a batch is proven at the API level: the same batch
replayed gets the same answer, and the whole offline story replays its batch.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from tests.factories import UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import outbox_states, ready_for_the_floor

pytestmark = pytest.mark.browser


@pytest.fixture
def leader_phone(app, db, runner, live_server, page, tmp_path):
    """A leader's phone, signed in, service worker and field pack ready, with a photo to take."""
    demo_plant(runner)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(camera_jpeg(2000, 1500, orientation=1))
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-20"))
    return page, leader, area, photo


def report_abnormality_offline(page, base: str, area, photo, text: str) -> None:
    page.context.set_offline(True)
    page.goto(f"{base}/a/{area.qr_token}")
    page.get_by_role("link", name="Report abnormality").click()
    page.wait_for_url("**/capture/draft/*")
    page.get_by_role("radio", name="Environment").check()
    page.get_by_role("radio", name="High").check()
    page.locator(".item textarea").first.fill(text)
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("img.thumb").wait_for()
    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")
    page.get_by_text("Waiting to sync").wait_for()


def stored_once(db, user, text: str) -> None:
    db.session.rollback()
    findings = db.session.scalars(
        sa.select(Finding).where(Finding.reported_by_id == user.id, Finding.description == text)
    ).all()
    assert len(findings) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(Audit.auditor_id == user.id)) == 1
    photos = db.session.scalars(sa.select(Photo).where(Photo.uploaded_by_id == user.id)).all()
    assert [p.finding_id for p in photos] == [findings[0].id]


def sync_now(page) -> None:
    """Tap "Sync now" once the engine is idle, and wait for that run to end."""
    page.wait_for_function("() => document.documentElement.dataset.sync !== 'running'")
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function("() => document.documentElement.dataset.sync === 'idle'", timeout=20_000)


def go_online_and_let_it_sync(page) -> None:
    """Back in coverage: the page flushes the outbox by itself on the 'online' event."""
    page.context.set_offline(False)
    page.wait_for_function("() => document.documentElement.dataset.sync === 'idle'", timeout=20_000)


def sync_until_synced(page, attempts: int = 3) -> None:
    for _ in range(attempts):
        sync_now(page)
        if outbox_states(page) == ["synced"]:
            page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for()
            return
    raise AssertionError(f"still not synced: {outbox_states(page)}")


def fault_once(page, pattern: str, fault) -> list:
    """Route the next request matching ``pattern`` through ``fault``; the list counts hits."""
    hits = []

    def handler(route):
        hits.append(route.request.url)
        fault(route)

    page.route(pattern, handler, times=1)
    return hits


def test_a_500_on_the_batch_is_retried_later(leader_phone, live_server, db):
    page, leader, area, photo = leader_phone
    report_abnormality_offline(page, live_server, area, photo, "Guard missing on belt")
    hits = fault_once(
        page, "**/api/v1/sync", lambda route: route.fulfill(status=500, body="Server Error")
    )
    go_online_and_let_it_sync(page)
    assert outbox_states(page) == ["waiting"]
    expect(page.locator(".outbox-entry")).to_contain_text("will retry")
    sync_until_synced(page)
    assert len(hits) == 1
    stored_once(db, leader, "Guard missing on belt")


def test_connection_cut_during_the_photo_upload(leader_phone, live_server, db):
    page, leader, area, photo = leader_phone
    report_abnormality_offline(page, live_server, area, photo, "Paint drum without lid")
    hits = fault_once(page, "**/api/v1/photos/*", lambda route: route.abort("connectionreset"))
    go_online_and_let_it_sync(page)
    assert outbox_states(page) == ["waiting"]
    sync_until_synced(page)
    assert len(hits) == 1
    stored_once(db, leader, "Paint drum without lid")


def test_session_expired_while_offline_asks_to_sign_in_then_syncs(leader_phone, live_server, db):
    page, leader, area, photo = leader_phone
    report_abnormality_offline(page, live_server, area, photo, "Blocked fire exit")
    page.context.clear_cookies()  # hours later: the session and remember-me are gone
    go_online_and_let_it_sync(page)
    assert outbox_states(page) == ["signin"]
    page.get_by_role("link", name="sign in").click()
    page.get_by_label("Email").fill(leader.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/capture/outbox")
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)
    assert outbox_states(page) == ["synced"]
    stored_once(db, leader, "Blocked fire exit")


def test_server_stopped_mid_batch_and_restarted(app, db, runner, own_live_server, page, tmp_path):
    server = own_live_server
    demo_plant(runner)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, server, leader.email)
    photo = tmp_path / "spill.jpg"
    photo.write_bytes(camera_jpeg(1600, 1200, orientation=1))
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-01"))
    report_abnormality_offline(page, server, area, photo, "Oil spill at dock 2")

    def server_dies_mid_batch(route):
        server.stop()  # the photo is up; the batch meets a dead server
        route.continue_()

    hits = fault_once(page, "**/api/v1/sync", server_dies_mid_batch)
    go_online_and_let_it_sync(page)
    assert outbox_states(page) == ["waiting"]
    server.start()
    sync_until_synced(page)
    assert len(hits) == 1
    stored_once(db, leader, "Oil spill at dock 2")
