"""A field record you can trust, told as the people on the floor live it, in Chromium at a phone
viewport: a shared tablet, a server that keeps failing one batch, an empty finding box, a tap
just before a reload, a second tap on "Start", a photo the phone cannot read."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplate
from gemba_walk.core.ids import utcnow
from gemba_walk.notify.models import NotifyEvent
from gemba_walk.tickets.models import KaizenTicket
from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_layout
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import (
    attach_photo,
    outbox_states,
    ready_for_the_floor,
    score_all,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

IDLE = "() => document.documentElement.dataset.sync === 'idle'"


@pytest.fixture
def tablet(browser_profile):
    """One tablet on the line, its browser profile kept on disk, shared by everyone."""
    return browser_profile()


def area_named(db, code: str) -> Area:
    return db.session.scalar(sa.select(Area).where(Area.code == code))


def start_5s_offline(page, base: str, area) -> str:
    page.context.set_offline(True)
    page.goto(f"{base}/a/{area.qr_token}")
    page.get_by_role("link", name="Start 5S audit").click()
    page.wait_for_url("**/capture/draft/*")
    return page.url


def submit(page) -> None:
    page.get_by_role("button", name="Submit — send when online").click()
    page.wait_for_url("**/capture/outbox*")


def report_offline(page, base: str, area, category: str, severity: str, text: str) -> None:
    """An abnormality report with a photo, made and submitted with no network."""
    page.context.set_offline(True)
    page.goto(f"{base}/a/{area.qr_token}/start/abnormality-report")
    page.wait_for_url("**/capture/draft/*")
    page.get_by_role("radio", name=category, exact=True).check()
    page.get_by_role("radio", name=severity, exact=True).check()
    page.locator(".item textarea").first.fill(text)
    attach_photo(page)
    submit(page)


def sign_out(page, base: str) -> list[str]:
    """Sign out from the home page, accepting the warning; returns what the warning said."""
    said = []

    def accept(dialog):
        said.append(dialog.message)
        dialog.accept()

    page.goto(f"{base}/")
    page.once("dialog", accept)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    return said


def server_counts(db) -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(sa.select(sa.func.count(Audit.id))),
        db.session.scalar(sa.select(sa.func.count(Finding.id))),
    )


def test_a_shared_tablet_keeps_each_persons_records_and_sends_them_under_their_author(
    app, db, live_server, tablet, screenshot
):
    """A leader captures offline → signs out → a member signs in and sees
    none of it, sends none of it → the leader signs in → the records sync once, as hers."""
    demo_layout(app)
    leader = UserFactory(role="leader", name="Lia Leader")
    member = UserFactory(role="member", name="Mo Member")
    area = area_named(db, "A-11")
    page = tablet.pages[0] if tablet.pages else tablet.new_page()
    ready_for_the_floor(page, live_server, leader.email)

    # The leader audits offline with a photo and submits; its batch meets a 503 once, after
    # the photo went up (the case that used to strand an audit).
    start_5s_offline(page, live_server, area)
    score_all(page)
    first_item = page.locator(".item").first
    first_item.get_by_role("button", name="+ Add a finding for").click()
    first_item.locator(".finding textarea").fill("Cable drum blocks the fire exit")
    attach_photo(page)
    submit(page)
    hits = []

    def unavailable(route):
        hits.append(route.request.url)
        route.fulfill(status=503, body="Service Unavailable")

    page.route("**/api/v1/sync", unavailable)  # until she has signed out
    page.context.set_offline(False)  # back in coverage: the page sends by itself
    expect(page.locator(".outbox-entry--waiting")).to_contain_text("will retry")
    page.wait_for_function(IDLE)
    assert hits and outbox_states(page) == ["waiting"]
    # She starts a second walk and leaves it as a draft.
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    page.get_by_role("link", name="Waste walk").click()
    page.wait_for_url("**/capture/draft/*")
    draft_url = page.url
    page.locator(".item").first.get_by_role("radio", name="Observed").check()
    page.context.set_offline(False)

    warning = sign_out(page, live_server)
    assert "1 record(s) of yours have not reached the server yet" in warning[0]
    assert "1 draft(s) of yours are not submitted" in warning[0]
    assert "hidden from anyone else who signs in here, and nobody else can send them" in warning[0]

    # A team member signs in on the same tablet: none of the leader's work is theirs.
    tried = len(hits)
    sign_in_in_browser(page, live_server, member.email)
    page.goto(f"{live_server}/capture/drafts")
    expect(page.get_by_text("No drafts.")).to_be_visible()
    expect(
        page.get_by_text("1 draft(s) of other people on this phone are kept for them.")
    ).to_be_visible()
    page.goto(draft_url)
    expect(page.get_by_role("heading", name="This draft is not yours")).to_be_visible()
    expect(page.get_by_text("It belongs to Lia Leader")).to_be_visible()
    expect(page.locator("fieldset")).to_have_count(0)  # nothing to edit
    page.goto(f"{live_server}/capture/outbox")
    expect(page.get_by_text("1 record(s) of Lia Leader wait for them to sign in")).to_be_visible()
    expect(page.locator(".outbox-entry")).to_have_count(0)
    screenshot(page, "shared-tablet-other-persons-outbox")
    page.wait_for_function(IDLE)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(IDLE)
    assert server_counts(db) == (0, 0)  # nothing went out under the member's name
    assert outbox_states(page) == ["waiting"]

    assert len(hits) == tried  # the member's phone never tried to send the leader's records
    sign_out(page, live_server)
    page.unroute("**/api/v1/sync")  # the server is back
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/capture/outbox")
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)
    assert outbox_states(page) == ["synced"]
    db.session.rollback()
    audit = db.session.scalar(sa.select(Audit))
    assert (audit.auditor_id, audit.area_id) == (leader.id, area.id)
    assert audit.scanned_at is not None  # her own scan, as proof she was there
    finding = db.session.scalar(sa.select(Finding).where(Finding.audit_id == audit.id))
    assert finding.reported_by_id == leader.id
    photo = db.session.scalar(sa.select(Photo).where(Photo.finding_id == finding.id))
    assert photo.uploaded_by_id == leader.id
    assert server_counts(db) == (1, 1)
    page.goto(f"{live_server}/capture/drafts")
    expect(page.get_by_role("link", name="Waste walk")).to_be_visible()  # her draft, back


def test_a_batch_the_server_keeps_refusing_does_not_hold_the_records_behind_it(
    app, db, live_server, page
):
    """One entry meets 500 after 500; the next one still goes; when the server
    recovers, the page retries by itself and every record is stored once."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    area = area_named(db, "A-20")
    ready_for_the_floor(page, live_server, leader.email)
    for text in ("Guard missing on belt 3", "Forklift parked in the walkway"):
        report_offline(page, live_server, area, "Safety", "High", text)

    refused = []

    def broken_for_the_belt(route):
        if "Guard missing on belt 3" in (route.request.post_data or ""):
            refused.append(route.request.url)
            route.fulfill(status=500, body="Internal Server Error")
        else:
            route.continue_()

    page.route("**/api/v1/sync", broken_for_the_belt)
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(IDLE)
    page.get_by_role("button", name="Sync now").click()  # and again: still refused
    page.wait_for_function(IDLE)
    assert len(refused) == 2
    assert sorted(outbox_states(page)) == ["synced", "waiting"]
    waiting = page.locator(".outbox-entry--waiting")
    expect(waiting).to_contain_text("will retry")
    expect(waiting).to_contain_text("Next try in")

    page.unroute("**/api/v1/sync")  # the server recovers; nobody taps anything
    page.locator(".outbox-entry--synced").nth(1).wait_for(timeout=30_000)
    assert outbox_states(page) == ["synced", "synced"]
    db.session.rollback()
    descriptions = db.session.scalars(sa.select(Finding.description)).all()
    assert sorted(descriptions) == ["Forklift parked in the walkway", "Guard missing on belt 3"]
    assert db.session.scalar(sa.select(sa.func.count(Audit.id))) == 2


def test_an_empty_finding_box_is_not_a_finding(app, db, live_server, page, api, auth):
    """Opened "+ Add a finding", nothing typed, score 4, submit — no finding is made
    and the area's verified ticket for that item is left alone."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    owner = UserFactory(role="member")
    area = area_named(db, "A-12")
    area.owner_id = owner.id
    template = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    item: ChecklistItem = template.versions[-1].items[0]
    verified = KaizenTicket(
        number=901,
        area_id=area.id,
        kind="5s",
        category=item.section,
        item_key=item.key,
        title="Pallets in the walkway",
        severity="medium",
        status="verified",
        owner_id=owner.id,
        verified_at=utcnow() - timedelta(days=10),
    )
    db.session.add(verified)
    db.session.commit()

    ready_for_the_floor(page, live_server, leader.email)
    start_5s_offline(page, live_server, area)
    score_all(page, 4)
    first = page.locator(".item").first
    first.get_by_role("button", name="+ Add a finding for").click()
    expect(first.locator(".finding textarea")).to_be_focused()
    submit(page)
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)

    db.session.rollback()
    assert server_counts(db) == (1, 0)
    ticket = db.session.get(KaizenTicket, verified.id)
    assert (ticket.status, ticket.occurrences, ticket.recurred) == ("verified", 1, False)
    # Nothing to tell about a ticket (the audit's own "completed" event is for webhooks).
    told = sa.select(sa.func.count(NotifyEvent.id)).where(NotifyEvent.ticket_id.is_not(None))
    assert db.session.scalar(told) == 0


def test_field_data_arrives_on_sign_in_so_labels_and_the_scan_page_work_offline(
    app, db, live_server, page
):
    """Sign in, stay on Home, lose the network: a label never opened before
    opens, and the Scan page finds an area by its typed code."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    area = area_named(db, "A-11")
    sign_in_in_browser(page, live_server, leader.email)
    wait_for_service_worker(page)
    page.locator("body[data-pack]").wait_for(state="attached")
    page.wait_for_function(
        "() => caches.open('gemba-pages-v1').then((c) => c.match('/scan')).then(Boolean)"
    )

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    expect(page.get_by_role("heading", name=area.name)).to_be_visible()
    expect(page.get_by_role("link", name="Start 5S audit")).to_be_visible()

    page.goto(f"{live_server}/scan")
    page.get_by_label("Area code").fill("a11")
    page.get_by_role("button", name="Open area").click()
    page.wait_for_url(f"**/a/{area.qr_token}?via=code")
    expect(page.get_by_role("heading", name=area.name)).to_be_visible()
    expect(page.get_by_text("Opened by its code, not by a scan")).to_be_visible()


def test_a_tap_just_before_a_reload_is_kept(app, db, live_server, page):
    """Each score is tapped and the page reloaded at once; every one is kept."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)
    start_5s_offline(page, live_server, area_named(db, "A-11"))
    for index in range(6):
        page.locator("fieldset.scores").first.wait_for()
        page.evaluate(
            """(index) => {
              const groups = document.querySelectorAll('fieldset.scores');
              groups[index].querySelectorAll('label.score-choice')[index % 6].click();
              location.reload();
            }""",
            index,
        )
        page.wait_for_load_state()
    page.locator("fieldset.scores").first.wait_for()
    checked = page.evaluate(
        """() => [...document.querySelectorAll('fieldset.scores')].slice(0, 6)
             .map((group) => group.querySelector('input:checked')?.value ?? null)"""
    )
    assert checked == ["0", "1", "2", "3", "4", "5"]
    expect(page.get_by_text("6 of 15 scored")).to_be_visible()


def test_drafts_resume_instead_of_piling_up_and_can_be_tidied_or_discarded(
    app, db, live_server, page, screenshot
):
    """The same label opened twice and "Start" tapped twice makes one draft; a
    finding box closes, a photo comes off, the progress line jumps to what is left, and a
    draft is discarded with its photos."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    area = area_named(db, "A-11")
    ready_for_the_floor(page, live_server, leader.email)
    first_url = start_5s_offline(page, live_server, area)
    page.goto(f"{live_server}/a/{area.qr_token}/start/5s-audit")  # "Start" tapped again
    page.wait_for_url("**/capture/draft/*")
    assert page.url == first_url
    page.goto(f"{live_server}/a/{area.qr_token}")  # the label opened again
    page.get_by_role("link", name="Resume: 5S audit").click()
    page.wait_for_url(first_url)

    groups = page.locator("fieldset.scores")
    groups.first.wait_for()
    for index in range(12):
        groups.nth(index).locator("label.score-choice").nth(4).click()
    expect(page.get_by_text("12 of 15 scored")).to_be_visible()
    page.get_by_role("link", name="Go to the first unscored item").click()
    expect(groups.nth(12).locator("input").first).to_be_focused()

    item = page.locator(".item").first
    item.get_by_role("button", name="+ Add a finding for").click()
    item.get_by_role("button", name="Close this finding").click()
    expect(item.locator(".finding")).to_have_count(0)
    item.get_by_role("button", name="+ Add a finding for").click()
    item.locator(".finding textarea").fill("Tote without a label")
    attach_photo(page)
    attach_photo(page, "second.jpg")
    expect(item.locator("img.thumb")).to_have_count(2)
    item.get_by_role("button", name="Remove photo 1").click()
    expect(item.locator("img.thumb")).to_have_count(1)
    screenshot(page, "draft-controls-phone")

    page.reload()
    expect(page.locator(".item").first.locator("img.thumb")).to_have_count(1)
    photos = """() => new Promise((ok) => {
        const r = indexedDB.open('gemba-walk');
        r.onsuccess = () => {
          const q = r.result.transaction('photos').objectStore('photos').count();
          q.onsuccess = () => { r.result.close(); ok(q.result); };
        };
      })"""
    assert page.evaluate(photos) == 1  # the removed photo is gone from the phone too
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard this draft").click()
    page.wait_for_url("**/capture/drafts?discarded=1")
    expect(page.get_by_text("The draft was discarded.")).to_be_visible()
    expect(page.get_by_text("No drafts.")).to_be_visible()
    assert page.evaluate(photos) == 0


def test_a_photo_the_phone_cannot_read_is_named_and_nothing_is_dropped_silently(
    app, db, live_server, page
):
    """An iPhone HEIC chosen with a JPEG: the JPEG is kept, the HEIC is named
    with what to do about it."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)
    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area_named(db, 'A-11').qr_token}/start/abnormality-report")
    page.wait_for_url("**/capture/draft/*")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 256
    page.locator("input[type=file]").first.set_input_files(
        [
            {"name": "IMG_4001.HEIC", "mimeType": "image/heic", "buffer": heic},
            {"name": "IMG_4002.JPG", "mimeType": "image/jpeg", "buffer": camera_jpeg(800, 600)},
        ]
    )
    status = page.locator(".photo-status")
    expect(status).to_contain_text("IMG_4001.HEIC: this browser cannot read HEIC photos")
    expect(status).to_contain_text("“Most Compatible”")
    expect(status).to_contain_text("Photo kept")
    expect(page.locator("img.thumb")).to_have_count(1)
    page.locator("input[type=file]").first.set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 nothing"}
    )
    expect(status).to_contain_text("notes.pdf is a PDF file, not a photo")


def test_the_outbox_explains_a_refused_record_and_offers_retry_download_and_discard(
    app, db, live_server, page
):
    """Nothing is a dead end: a record the server refuses (4xx) says why and can be retried,
    downloaded with its photos, or — after a confirmation and a download — discarded."""
    demo_layout(app)
    leader = UserFactory(role="leader")
    ready_for_the_floor(page, live_server, leader.email)
    area = area_named(db, "A-30")
    report_offline(page, live_server, area, "Quality", "Low", "Label printer prints faint barcodes")
    body = json.dumps(
        {
            "error": {
                "code": "invalid_records",
                "message": "Some records are not valid.",
                "details": [{"record": "finding x", "message": "Unknown area 9. Refresh."}],
            }
        }
    )
    page.route(
        "**/api/v1/sync",
        lambda route: route.fulfill(status=422, body=body, content_type="application/json"),
        times=1,
    )
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(IDLE)
    entry = page.locator(".outbox-entry--attention")
    expect(entry).to_contain_text("Some records are not valid. Unknown area 9. Refresh.")
    with page.expect_download() as download:
        entry.get_by_role("button", name="Download a copy").click()
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["findings"][0]["description"] == "Label printer prints faint barcodes"
    assert len(saved["photos"]) == 1 and saved["photos"][0]["base64"]

    entry.get_by_role("button", name="Retry").click()  # the cause was fixed on the server
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)
    assert server_counts(db) == (1, 1)

    # A second record the server refuses for good: its author discards it, after a copy.
    report_offline(page, live_server, area, "Cost", "Low", "Air leak at the dryer")
    page.route(
        "**/api/v1/sync",
        lambda route: route.fulfill(status=422, body=body, content_type="application/json"),
    )
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(IDLE)
    refused = page.locator(".outbox-entry--attention")
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_download() as copy:
        refused.get_by_role("button", name="Discard…").click()
    assert "A copy with its records and photos is downloaded first" in asked[0]
    assert "Air leak at the dryer" in Path(copy.value.path()).read_text()
    expect(page.locator(".outbox-entry--attention")).to_have_count(0)
    assert outbox_states(page) == ["synced"]
    assert server_counts(db) == (1, 1)
