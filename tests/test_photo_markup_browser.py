"""On the phone, the auditor marks up a finding photo (an arrow and a label), signs the
audit with a finger, and it all syncs after the network comes back — the marked-up photo with
its original beside it, and the signature on the printed report."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.tickets.models import KaizenTicket
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import ready_for_the_floor, score_all
from tests.test_ticket_workflow import new_ticket


@pytest.fixture
def ticket_to_fix(db, live_server):
    """An open ticket of a team member's area, and a leader who may add its "after" photo."""
    owner = UserFactory(role="member", name="Tara Team")
    leader = UserFactory(role="leader", name="Lia Leader")
    ticket = new_ticket(db, AreaFactory(owner=owner, code="P-07", name="Press 7"), owner)
    return {"leader": leader, "number": ticket.number}


pytestmark = pytest.mark.browser


def drag(page, locator, points: list[tuple[float, float]]) -> None:
    """Draw with a finger (a mouse here; pointer events either way) through points given as
    fractions of the element's box."""
    box = locator.bounding_box()
    at = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=6)
    page.mouse.up()


def safety_yellow_share(data: bytes) -> float:
    """The share of pixels in the marks' safety yellow."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((200, 150))
    pixels = [image.getpixel((x, y)) for x in range(200) for y in range(150)]
    yellow = [p for p in pixels if p[0] > 200 and p[1] > 170 and p[2] < 90]
    return len(yellow) / len(pixels)


def test_auditor_marks_up_a_photo_signs_and_both_sync_with_the_original(
    app, db, runner, live_server, page, tmp_path, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Ana Leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(camera_jpeg(1200, 900, orientation=None))
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}/start/5s-audit")
    page.wait_for_url("**/capture/draft/*")
    score_all(page)

    page.get_by_role("button", name="+ Add a finding on its own").click()
    extra = page.locator("[data-extra-finding]")
    extra.get_by_label("What did you see?").fill("Oil leak under the hydraulic unit")
    extra.locator("input[type=file]").set_input_files(str(photo))
    extra.locator("img.thumb").wait_for()

    # Mark it up: an arrow to the leak, and a label.
    extra.get_by_role("button", name="Mark up photo 1").click()
    editor = page.get_by_role("dialog", name="Mark up photo 1")
    expect(editor).to_be_visible()
    canvas = editor.locator("canvas")
    expect(editor.get_by_role("button", name="Arrow")).to_have_attribute("aria-pressed", "true")
    drag(page, canvas, [(0.15, 0.8), (0.35, 0.65), (0.55, 0.45)])
    expect(editor.get_by_role("status")).to_have_text("1 mark(s) on the photo.")
    # A stray circle, taken back with Undo.
    editor.get_by_role("button", name="Circle").click()
    drag(page, canvas, [(0.6, 0.2), (0.9, 0.4)])
    expect(editor.get_by_role("status")).to_have_text("2 mark(s) on the photo.")
    editor.get_by_role("button", name="Undo").click()
    expect(editor.get_by_role("status")).to_have_text("1 mark(s) on the photo.")
    # A label: the place is tapped first, the words typed after (the keyboard that opens then
    # cannot move the photo under the finger).
    editor.get_by_role("button", name="Text").click()
    expect(editor.get_by_text("Tap the photo where the label goes.")).to_be_visible()
    before = canvas.bounding_box()
    drag(page, canvas, [(0.5, 0.3)])
    assert canvas.bounding_box()["y"] == before["y"]  # the photo stayed where it was tapped
    expect(editor.get_by_label("Label text")).to_be_focused()
    editor.get_by_label("Label text").fill("Leak here")
    editor.get_by_label("Label text").press("Enter")
    expect(editor.get_by_role("status")).to_have_text("2 mark(s) on the photo.")
    for button in editor.get_by_role("button").all():  # gloved thumbs: 44 px at least
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, button.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "photo-markup-editor-phone", full_page=False)
    editor.get_by_role("button", name="Save the marked-up photo").click()
    expect(editor).to_have_count(0)
    expect(extra.get_by_role("img", name="Photo 1, marked up")).to_be_visible()

    # Sign at the end of the audit.
    pad = page.locator("#signature-canvas")
    pad.scroll_into_view_if_needed()
    expect(page.locator(".signature-pad__status")).to_contain_text("Not signed")
    drag(page, pad, [(0.1, 0.7), (0.25, 0.2), (0.4, 0.8), (0.6, 0.3), (0.9, 0.6)])
    expect(page.locator(".signature-pad__status")).to_contain_text("Signed.")
    screenshot(page, "signature-pad-phone")

    page.reload()  # the marked-up photo, its original and the signature are in the draft
    expect(page.get_by_role("img", name="Photo 1, marked up")).to_be_visible()
    expect(page.locator(".signature-pad__status")).to_contain_text("Signed.")

    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=20_000)

    db.session.rollback()
    audit = db.session.scalar(sa.select(Audit).where(Audit.auditor_id == leader.id))
    assert audit.signature_sha256 is not None
    finding = db.session.scalar(
        sa.select(Finding).where(Finding.description == "Oil leak under the hydraulic unit")
    )
    assert len(finding.photos) == 2  # the marked-up photo and the photo as taken
    marked = next(p for p in finding.photos if p.original_id is not None)
    original = next(p for p in finding.photos if p.original_id is None)
    assert marked.original_id == original.id

    # The report shows the marked-up photo, the original one tap away, and the signature.
    page.goto(f"{live_server}/insight/audits/{audit.uuid}")
    shown = page.get_by_role("img", name="Photo 1 of this finding, marked up")
    expect(shown).to_be_visible()
    assert f"/api/v1/photos/{marked.uuid}" in shown.get_attribute("src")
    link = page.get_by_role("link", name="Original photo")
    expect(link).to_have_count(1)
    marked_bytes = page.request.get(f"{live_server}/api/v1/photos/{marked.uuid}").body()
    assert safety_yellow_share(marked_bytes) > 0.003  # the arrow and label are in the photo
    signature = page.get_by_role("img", name="Signature of Ana Leader, drawn on the phone")
    expect(signature).to_be_visible()
    assert signature.evaluate("image => image.complete && image.naturalWidth") == 600
    screenshot(page, "audit-report-marked-up-and-signed-phone")
    page.emulate_media(media="print")  # the printed report carries the drawn signature too
    expect(signature).to_be_visible()
    block = page.locator(".signature-block")
    lines = block.locator(".signature__line").all()
    assert lines[0].bounding_box()["y"] == lines[2].bounding_box()["y"]  # both columns level
    block.screenshot(path=str(screenshot(page, "audit-report-signed-print", full_page=False)))
    page.emulate_media(media="screen")
    link.click()
    page.wait_for_url(f"**/api/v1/photos/{original.uuid}")
    original_bytes = page.request.get(f"{live_server}/api/v1/photos/{original.uuid}").body()
    assert safety_yellow_share(original_bytes) < 0.0005  # the photo as taken, unmarked


def test_leader_marks_up_the_after_photo_before_saving_it_to_the_ticket(
    db, live_server, page, tmp_path, screenshot, ticket_to_fix
):
    after = tmp_path / "after.jpg"
    after.write_bytes(camera_jpeg(1200, 900, orientation=None))
    sign_in_in_browser(page, live_server, ticket_to_fix["leader"].email)
    page.goto(f"{live_server}/tickets/{ticket_to_fix['number']}")
    page.locator("#after-photo").set_input_files(str(after))
    expect(page.get_by_role("img", name="The “after” photo you chose")).to_be_visible()
    page.get_by_role("button", name="Mark up ✎").click()
    editor = page.get_by_role("dialog", name="Mark up the “after” photo")
    editor.get_by_role("button", name="Circle").click()
    drag(page, editor.locator("canvas"), [(0.3, 0.3), (0.7, 0.7)])
    editor.get_by_role("button", name="Freehand").click()
    drag(page, editor.locator("canvas"), [(0.1, 0.9), (0.2, 0.8), (0.3, 0.9), (0.4, 0.8)])
    expect(editor.get_by_role("status")).to_have_text("2 mark(s) on the photo.")
    editor.get_by_role("button", name="Save the marked-up photo").click()
    expect(page.get_by_text("Marked up. The original photo is saved with it.")).to_be_visible()
    page.get_by_role("button", name="Save this photo").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.get_by_role("img", name="After photo 1, marked up")).to_be_visible()
    link = page.locator(".before-after").get_by_role("link", name="Original photo")
    expect(link).to_have_count(1)
    screenshot(page, "ticket-after-photo-marked-up-phone")

    db.session.rollback()
    ticket = db.session.scalar(
        sa.select(KaizenTicket).where(KaizenTicket.number == ticket_to_fix["number"])
    )
    photos = db.session.scalars(
        sa.select(Photo).where(Photo.ticket_id == ticket.id, Photo.role == "after")
    ).all()
    marked = next(p for p in photos if p.original_id is not None)
    original = next(p for p in photos if p.id == marked.original_id)
    assert link.get_attribute("href") == f"/api/v1/photos/{original.uuid}"
    marked_bytes = page.request.get(f"{live_server}/api/v1/photos/{marked.uuid}").body()
    assert safety_yellow_share(marked_bytes) > 0.003
