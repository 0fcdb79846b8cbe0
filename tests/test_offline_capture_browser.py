"""The heart of it: a leader audits with no network, photographs findings, and syncs later —
through a reload and a browser restart — and the server holds every record exactly once."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.audits.photos import PhotoStore
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import outbox_states, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_profile(browser_profile):
    """A phone browser with a profile on disk, which can be closed and opened again."""
    return browser_profile


def _score_all(page, scores: dict[int, int]) -> None:
    """Tap a score for every 5S item: ``scores`` overrides the default 4 by item position."""
    groups = page.locator("fieldset.scores")
    groups.first.wait_for()  # the screen renders from IndexedDB just after navigation
    expect(groups).to_have_count(15)
    for index in range(groups.count()):
        score = scores.get(index, 4)
        groups.nth(index).locator("label.score-choice").nth(score).click()


def test_offline_audit_survives_reload_and_restart_then_syncs_once(
    app, db, runner, live_server, phone_profile, tmp_path, screenshot, api, auth
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Lia Leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(camera_jpeg(4000, 3000, orientation=6))  # 12 MP, EXIF orientation and GPS

    context = phone_profile()
    page = context.pages[0] if context.pages else context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()

    context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")  # never opened before, no network
    page.get_by_role("heading", name=area.name).wait_for()
    expect(page.get_by_text("Scanned at the gemba")).to_be_visible()
    expect(page.get_by_text("KZ-").first).to_be_visible()  # the area's open tickets, offline
    screenshot(page, "offline-area-phone")
    page.get_by_role("link", name="Start 5S audit").click()
    page.wait_for_url("**/capture/draft/*")
    draft_url = page.url
    _score_all(page, {0: 1, 7: 2})
    findings = page.locator(".finding")
    expect(findings).to_have_count(2)
    findings.nth(0).locator("textarea").fill("Unneeded pallets stacked in the walkway")
    findings.nth(0).locator("input[type=file]").set_input_files(str(photo))
    findings.nth(0).locator("img.thumb").wait_for()
    findings.nth(1).locator("textarea").fill("Shadow board missing two spanners")
    findings.nth(1).locator("input[type=file]").set_input_files(str(photo))
    findings.nth(1).locator("img.thumb").wait_for()
    expect(page.get_by_text("5S score").first).to_be_visible()
    screenshot(page, "offline-audit-phone")

    page.reload()  # offline reload: the draft is intact
    page.locator(".finding img.thumb").nth(1).wait_for()
    expect(page.locator("fieldset.scores input:checked")).to_have_count(15)
    context.close()

    context = phone_profile()  # the browser restarts, still no network
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(draft_url)
    page.locator(".finding img.thumb").nth(1).wait_for()
    expect(page.locator("fieldset.scores input:checked")).to_have_count(15)
    expect(page.locator(".finding textarea").nth(0)).to_have_value(
        "Unneeded pallets stacked in the walkway"
    )
    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")
    page.get_by_text("Waiting to sync").wait_for()
    assert outbox_states(page) == ["waiting"]

    context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced", exact=True).wait_for(timeout=20_000)
    screenshot(page, "outbox-synced-phone")

    db.session.rollback()  # read what the server committed
    audit = db.session.scalar(
        sa.select(Audit).where(Audit.area_id == area.id, Audit.auditor_id == leader.id)
    )
    assert audit.scanned_at is not None and len(audit.responses) == 15
    stored = db.session.scalars(sa.select(Finding).where(Finding.audit_id == audit.id)).all()
    assert sorted(f.description for f in stored) == [
        "Shadow board missing two spanners",
        "Unneeded pallets stacked in the walkway",
    ]
    photos = db.session.scalars(
        sa.select(Photo).where(Photo.finding_id.in_([f.id for f in stored]))
    ).all()
    assert len(photos) == 2
    store = PhotoStore(live_server.photo_path)
    for record in photos:
        with Image.open(store.path(record.stored_sha256)) as image:
            assert image.width < image.height <= 1600  # turned upright, made small
            assert dict(image.getexif()) == {}  # no orientation, camera or GPS left
            assert image.getpixel((image.width - 20, 20))[0] > 150  # the red corner is up
    assert outbox_states(page) == ["synced"]

    # The phone did not hear the answer and sends the very same batch again: nothing new.
    entry = page.evaluate(
        """async () => {
          const request = indexedDB.open('gemba-walk');
          const db = await new Promise((ok) => { request.onsuccess = () => ok(request.result); });
          const read = (store, query) => new Promise((ok) => {
            const request = db.transaction(store).objectStore(store).get(query);
            request.onsuccess = () => ok(request.result);
          });
          const all = db.transaction('outbox').objectStore('outbox').getAll();
          const entries = await new Promise((ok) => { all.onsuccess = () => ok(all.result); });
          return { ...entries[0], device_id: await read('meta', 'device_id') };
        }"""
    )
    auth.login(leader.email)
    records = {"audits": [entry["audit"]], "findings": entry["findings"]}
    sent_as = {"batch_id": entry["batch_id"], "device_id": entry["device_id"]}
    replay = api.sync({**sent_as, "author_id": entry["user_id"], **records})
    assert replay.status_code == 200
    assert replay.json["audits"][0]["status"] == "created"  # the very answer it first got
    fresh = api.sync({"batch_id": str(uuid.uuid4()), **records})
    assert [a["status"] for a in fresh.json["audits"]] == ["duplicate"]
    assert [f["status"] for f in fresh.json["findings"]] == ["duplicate", "duplicate"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).where(Audit.auditor_id == leader.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(Finding.audit_id == audit.id)) == 2


def test_the_app_is_installable_on_a_phone(app, live_server, phone_profile):
    """Chrome's own installability check: manifest, icons, service worker, secure context.

    A profile on disk, since Chrome never offers to install from an incognito window."""
    leader = UserFactory(role="leader")
    context = phone_profile()
    page = context.pages[0] if context.pages else context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    session = page.context.new_cdp_session(page)
    errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    expect(page.locator("link[rel=apple-touch-icon]")).to_have_count(1)


def test_a_page_never_visited_shows_the_offline_page(app, live_server, page):
    leader = UserFactory(role="leader")
    sign_in_in_browser(page, live_server, leader.email)
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.goto(f"{live_server}/admin/users/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.goto(f"{live_server}/")  # visited while online: the last copy is shown
    expect(page.get_by_role("heading", name="Good to see you")).to_be_visible()
