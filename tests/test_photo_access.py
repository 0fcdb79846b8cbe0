"""Photo access follows record access: a photo not yet attached to a finding or
ticket is its uploader's only; once attached, everyone who may read the record sees it. Photos
left attached to nothing are removed after a while by `flask prune-photos`."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from gemba_walk.audits.models import Photo
from gemba_walk.audits.photos import PhotoStore
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db as _db
from tests.conftest import ApiClient, AuthActions
from tests.factories import UserFactory, demo_layout
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, new_id


def signed_in(new_device, role: str):
    device = new_device()
    email = UserFactory(role=role).email
    _db.session.rollback()  # the test's own read ends: the devices write next (SQLite)
    assert AuthActions(device).login(email).status_code == 302
    return ApiClient(device)


def status_of(device, path: str) -> int:
    with device.get(path) as answer:  # a photo is streamed from its file: close it
        return answer.status_code


def upload(phone, width=640, height=480) -> str:
    data, uuid = camera_jpeg(width, height), new_id()
    assert phone.put_photo(uuid, data, sha256(data)).status_code == 201
    return uuid


def test_a_photo_not_yet_synced_is_seen_by_its_uploader_only(new_device):
    uploader = signed_in(new_device, "member")
    colleague, admin = signed_in(new_device, "leader"), signed_in(new_device, "admin")
    uuid = upload(uploader)
    assert status_of(uploader.client, f"/api/v1/photos/{uuid}") == 200
    for other in (colleague, admin):
        for variant in ("", "?variant=thumb"):
            answer = other.client.get(f"/api/v1/photos/{uuid}{variant}")
            assert answer.status_code == 404
            assert answer.json["error"]["message"] == "There is no photo with this id."


def test_once_attached_to_a_finding_everyone_who_reads_findings_sees_it(app, new_device):
    demo_layout(app)
    leader = signed_in(new_device, "leader")
    colleague = signed_in(new_device, "member")
    pack = leader.client.get("/api/v1/pack").json
    uuid = upload(leader)
    assert status_of(colleague.client, f"/api/v1/photos/{uuid}") == 404
    synced = leader.sync(batch(findings=[finding(pack["areas"][0], photos=[uuid])]))
    assert synced.status_code == 200, synced.json
    assert status_of(colleague.client, f"/api/v1/photos/{uuid}") == 200
    assert status_of(new_device(), f"/api/v1/photos/{uuid}") == 401


def _age(db, uuid: str, days: float) -> None:
    db.session.rollback()
    photo = db.session.scalar(sa.select(Photo).where(Photo.uuid == uuid))
    photo.uploaded_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_prune_photos_removes_old_unattached_photos_and_their_files(app, db, runner, new_device):
    demo_layout(app)
    leader = signed_in(new_device, "leader")
    pack = leader.client.get("/api/v1/pack").json
    abandoned, recent, attached = upload(leader), upload(leader, 320, 240), upload(leader, 800, 600)
    synced = leader.sync(batch(findings=[finding(pack["areas"][0], photos=[attached])]))
    assert synced.status_code == 200
    for uuid in (abandoned, attached):
        _age(db, uuid, 8)
    _age(db, recent, 6)
    store = PhotoStore(app.config["PHOTO_STORAGE_PATH"])
    stored = {row.uuid: row.stored_sha256 for row in db.session.scalars(sa.select(Photo)).all()}
    assert store.path(stored[abandoned]).exists()

    result = runner.invoke(args=["prune-photos"])
    assert result.exit_code == 0, result.output
    assert (
        "Removed 1 photo(s) attached to nothing for more than 7 days (2 file(s))" in result.output
    )
    db.session.expire_all()
    left = set(db.session.scalars(sa.select(Photo.uuid)))
    assert left == {recent, attached}
    assert not store.path(stored[abandoned]).exists()
    assert not store.path(stored[abandoned], "thumb").exists()
    assert store.path(stored[recent]).exists() and store.path(stored[attached]).exists()

    again = runner.invoke(args=["prune-photos", "--days", "5"])
    assert "Removed 1 photo(s) attached to nothing for more than 5 days" in again.output
    assert set(db.session.scalars(sa.select(Photo.uuid))) == {attached}


def test_a_file_shared_with_a_kept_photo_is_not_deleted(app, db, runner, new_device):
    """Files are stored by content: the same picture uploaded twice is one file."""
    first, second = signed_in(new_device, "member"), signed_in(new_device, "member")
    data = camera_jpeg(640, 480)
    old, kept = new_id(), new_id()
    assert first.put_photo(old, data, sha256(data)).status_code == 201
    assert second.put_photo(kept, data, sha256(data)).status_code == 201
    _age(db, old, 30)
    result = runner.invoke(args=["prune-photos"])
    assert "Removed 1 photo(s)" in result.output and "(0 file(s))" in result.output
    digest = db.session.scalar(sa.select(Photo.stored_sha256).where(Photo.uuid == kept))
    assert PhotoStore(app.config["PHOTO_STORAGE_PATH"]).path(digest).exists()
    assert status_of(second.client, f"/api/v1/photos/{kept}") == 200
