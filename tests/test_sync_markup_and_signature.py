"""A photo marked up on the phone keeps its original beside it, and an auditor's
signature drawn on the phone syncs with the audit — both exactly once, both checked."""

from __future__ import annotations

import base64
import io

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import AreaFactory, UserFactory, demo_layout
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, five_s_audit, new_id
from tests.test_ticket_pages import post, sign_in, state
from tests.test_ticket_workflow import new_ticket


@pytest.fixture
def leader_pack(app, client, auth):
    demo_layout(app)
    auth.login_as("leader")
    return client.get("/api/v1/pack").json


def _upload(api, width=1200, height=900) -> str:
    data, uuid = camera_jpeg(width, height, orientation=None), new_id()
    assert api.put_photo(uuid, data, sha256(data)).status_code == 201
    return uuid


def signature_png(width=600, height=200) -> str:
    """A signature as the phone draws it: dark strokes on a transparent PNG, base64."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 150), (120, 40), (200, 160), (320, 60), (560, 120)], fill="#111", width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_marked_up_photo_keeps_its_original_and_a_replay_stores_nothing_twice(
    api, client, db, leader_pack
):
    area = leader_pack["areas"][0]
    marked, original = _upload(api), _upload(api)
    found = finding(area, photos=[marked], photo_originals={marked: original})
    sent = batch([], [found])
    first = api.sync(sent)
    assert first.status_code == 200, first.json
    stored = db.session.scalar(sa.select(Finding).where(Finding.uuid == found["uuid"]))
    photos = {p.uuid: p for p in stored.photos}
    assert set(photos) == {marked, original}  # both kept with the finding
    assert photos[marked].original_id == photos[original].id
    assert photos[original].original_id is None
    ticket = db.session.get(KaizenTicket, stored.ticket_id)
    assert _count(db, Photo) == 2

    # The answer was lost on the way: the same batch again, then the same records in a new one.
    assert api.sync(sent).json == first.json
    again = api.sync(batch([], [found]))
    assert again.status_code == 200 and again.json["findings"][0]["status"] == "duplicate"
    assert (_count(db, Photo), _count(db, Finding)) == (2, 1)

    # The ticket shows the marked-up photo, its original one tap away, and not twice.
    page = client.get(f"/tickets/{ticket.number}").text
    assert page.count(f"/api/v1/photos/{marked}?variant=thumb") == 1
    assert f"/api/v1/photos/{original}?variant=thumb" not in page
    assert f'href="/api/v1/photos/{original}"' in page and "Original photo" in page
    with client.get(f"/api/v1/photos/{original}") as response:
        assert response.status_code == 200


def test_a_finding_whose_original_has_not_arrived_waits_for_it_and_loses_nothing(
    api, db, leader_pack
):
    area = leader_pack["areas"][0]
    marked = _upload(api)
    data, original = camera_jpeg(1000, 750, orientation=None), new_id()  # still on the phone
    found = finding(area, photos=[marked], photo_originals={marked: original})
    sent = batch([], [found])
    refused = api.sync(sent)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "photos_missing"
    assert refused.json["error"]["details"]["missing"] == [original]
    assert _count(db, Finding) == 0  # nothing half-stored
    # The phone uploads what was missing and sends the same batch again.
    assert api.put_photo(original, data, sha256(data)).status_code == 201
    accepted = api.sync(sent)
    assert accepted.status_code == 200, accepted.json
    pair = db.session.scalars(sa.select(Photo).where(Photo.uuid.in_([marked, original]))).all()
    assert {p.finding.uuid for p in pair} == {found["uuid"]}


@pytest.mark.parametrize(
    "originals, message",
    [
        (lambda m, o: {o: m}, "not in photo_uuids"),
        (lambda m, o: {m: m}, "is an original"),
    ],
    ids=["original-listed-as-the-photo", "photo-its-own-original"],
)
def test_an_original_link_that_makes_no_sense_is_refused(api, db, leader_pack, originals, message):
    area = leader_pack["areas"][0]
    marked, original = _upload(api), _upload(api)
    found = finding(area, photos=[marked], photo_originals=originals(marked, original))
    response = api.sync(batch([], [found]))
    assert response.status_code == 422
    assert message in str(response.json["error"]["details"])
    assert _count(db, Finding) == 0


def test_drawn_signature_syncs_with_the_audit_once_and_shows_on_the_report(
    api, client, db, leader_pack
):
    area = leader_pack["areas"][0]
    audit = five_s_audit(leader_pack, area, [4])
    audit["signature_png"] = signature_png()
    sent = batch([audit], [])
    first = api.sync(sent)
    assert first.status_code == 200, first.json
    assert api.sync(sent).json == first.json
    assert api.sync(batch([audit], [])).json["audits"][0]["status"] == "duplicate"
    assert _count(db, Audit) == 1
    png = client.get(f"/insight/audits/{audit['uuid']}/signature.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size == (600, 200)
    report = client.get(f"/insight/audits/{audit['uuid']}").text
    assert f"/insight/audits/{audit['uuid']}/signature.png" in report


def test_a_synced_audit_sent_again_with_another_signature_is_refused(api, client, leader_pack):
    audit = five_s_audit(leader_pack, leader_pack["areas"][0], [4])
    audit["signature_png"] = signature_png()
    assert api.sync(batch([audit], [])).status_code == 200
    stored = client.get(f"/insight/audits/{audit['uuid']}/signature.png").data
    audit["signature_png"] = signature_png(400, 150)
    changed = api.sync(batch([audit], []))
    assert changed.status_code == 409 and changed.json["error"]["code"] == "record_changed"
    assert client.get(f"/insight/audits/{audit['uuid']}/signature.png").data == stored


def test_an_audit_without_a_signature_still_syncs_and_has_no_signature_image(
    api, client, leader_pack
):
    audit = five_s_audit(leader_pack, leader_pack["areas"][0], [4])
    assert api.sync(batch([audit], [])).status_code == 200
    assert client.get(f"/insight/audits/{audit['uuid']}/signature.png").status_code == 404
    for junk in ("not-a-uuid", "%00" * 40, "9" * 400):
        assert client.get(f"/insight/audits/{junk}/signature.png").status_code == 404
    assert "signature.png" not in client.get(f"/insight/audits/{audit['uuid']}").text


def _jpeg_base64() -> str:
    return base64.b64encode(camera_jpeg(300, 100, orientation=None)).decode()


def _huge_png_base64() -> str:
    buffer = io.BytesIO()
    Image.new("1", (8000, 4000), 1).save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    "signature, status, words",
    [
        (_jpeg_base64, 422, "not a PNG"),
        (_huge_png_base64, 422, "8000 × 4000 pixels"),
        (lambda: "not base64 at all!", 422, "not a base64-encoded PNG"),
        (lambda: signature_png()[:200], 422, "damaged"),
        (lambda: "iVBOR\x00w0KGgo", 422, "NUL"),
        (lambda: "A" * 200_000, 422, "at most"),
        (lambda: 12345, 422, "string"),
    ],
    ids=["jpeg", "huge-dimensions", "not-base64", "truncated", "nul", "too-long", "wrong-type"],
)
def test_a_bad_signature_is_refused_clearly_and_nothing_already_saved_is_lost(
    api, client, db, leader_pack, signature, status, words
):
    area = leader_pack["areas"][0]
    kept = five_s_audit(leader_pack, area, [4])
    kept["signature_png"] = signature_png()
    assert api.sync(batch([kept], [])).status_code == 200

    bad = five_s_audit(leader_pack, area, [3])
    bad["signature_png"] = signature()
    photo = _upload(api)
    response = api.sync(batch([bad], [finding(area, bad, photos=[photo])]))
    assert response.status_code == status, response.json
    assert words in str(response.json["error"]), response.json
    # Nothing of the refused batch is stored; what was synced before is untouched.
    assert db.session.scalars(sa.select(Audit.uuid)).all() == [kept["uuid"]]
    assert _count(db, Finding) == 0
    assert client.get(f"/insight/audits/{kept['uuid']}/signature.png").status_code == 200
    # Signed again properly, the same audit goes through.
    bad["signature_png"] = signature_png()
    assert api.sync(batch([bad], [finding(area, bad, photos=[photo])])).status_code == 200


# --- the "after" photo on a ticket, marked up on the ticket page -------------------------------


@pytest.fixture
def ticket_world(db):
    """A ticket its owner works on (the shape tests/test_ticket_pages.py's helpers read)."""
    owner = UserFactory(role="member", name="Olga Owner")
    ticket = new_ticket(db, AreaFactory(owner=owner), owner)
    return {"people": {"owner": owner}, "number": ticket.number, "id": ticket.id}


def test_a_marked_up_after_photo_is_saved_with_its_original_one_tap_away(
    client, auth, db, ticket_world
):
    sign_in(auth, ticket_world, "owner")
    marked = camera_jpeg(800, 600, orientation=None)
    taken = camera_jpeg(640, 480, orientation=None)
    response = post(
        client,
        f"/tickets/{ticket_world['number']}/photos",
        {
            "photo": (io.BytesIO(marked), "marked-up.jpg"),
            "original": (io.BytesIO(taken), "original.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photos = db.session.scalars(sa.select(Photo).where(Photo.ticket_id == ticket_world["id"])).all()
    assert len(photos) == 2 and {p.role for p in photos} == {"after"}
    shown = next(p for p in photos if p.original_id is not None)
    original = next(p for p in photos if p.original_id is None)
    assert shown.original_id == original.id and (shown.width, original.width) == (800, 640)
    page = client.get(f"/tickets/{ticket_world['number']}").text
    assert "After photo 1, marked up" in page and "After photo 2" not in page
    assert f'href="/api/v1/photos/{original.uuid}">Original photo' in page


def test_an_after_photo_whose_original_is_no_image_is_refused_and_nothing_attached(
    client, auth, db, ticket_world
):
    sign_in(auth, ticket_world, "owner")
    before = state(db, ticket_world)
    response = post(
        client,
        f"/tickets/{ticket_world['number']}/photos",
        {
            "photo": (io.BytesIO(camera_jpeg(800, 600, orientation=None)), "marked-up.jpg"),
            "original": (io.BytesIO(b"%PDF-1.4 \x00 not a photo"), "original.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert "not an image" in response.text
    assert state(db, ticket_world) == before
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Photo.ticket_id == ticket_world["id"]))
        == 0
    )


@pytest.mark.parametrize(
    "originals",
    [
        {new_id(): "not-a-uuid"},
        {"not-a-uuid": new_id()},
        [new_id()],
        {new_id(): new_id() + "\x00"},
        {new_id(): new_id() for _ in range(13)},
    ],
    ids=["value-not-uuid", "key-not-uuid", "a-list", "nul", "too-many"],
)
def test_a_malformed_original_mapping_is_refused_by_the_contract(api, db, leader_pack, originals):
    area = leader_pack["areas"][0]
    response = api.sync(batch([], [finding(area, photo_originals=originals)]))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] in ("invalid_batch", "nul_character")  # a NUL is refused anywhere
    assert "photo_originals" in str(error["details"]) or error["code"] == "nul_character"
    assert error["message"]
    assert _count(db, Finding) == 0
