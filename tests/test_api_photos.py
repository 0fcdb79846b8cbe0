"""Photos reach the server upright, small and clean, exactly once — and bad uploads are refused."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from gemba_walk.audits.models import Photo
from tests.photo_tools import camera_jpeg, decompression_bomb_png, png_bytes, sha256
from tests.sync_batches import new_id


def _stored_image(client, uuid: str, variant: str = "full") -> Image.Image:
    with client.get(f"/api/v1/photos/{uuid}?variant={variant}") as response:
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        return Image.open(io.BytesIO(response.data))


def test_camera_photo_is_stored_upright_small_and_without_metadata(client, auth, api):
    auth.login_as("leader")
    data = camera_jpeg(4000, 3000, orientation=6)  # 12 MP, sensor landscape, shown portrait
    uuid = new_id()
    response = api.put_photo(uuid, data, sha256(data))
    assert response.status_code == 201
    assert response.json["sha256"] == sha256(data)
    stored = _stored_image(client, uuid)
    assert stored.size == (1200, 1600)  # turned upright, long edge 1600
    assert dict(stored.getexif()) == {}  # no orientation, no camera, no GPS
    # Orientation 6 means "rotate 90° clockwise": the sensor's red top-left lands top-right.
    assert stored.getpixel((1150, 50))[0] > 180 and stored.getpixel((50, 50))[0] < 100
    thumb = _stored_image(client, uuid, "thumb")
    assert max(thumb.size) == 320


def test_same_photo_again_is_answered_as_before(client, auth, api, db):
    auth.login_as("leader")
    data, uuid = camera_jpeg(800, 600), new_id()
    first = api.put_photo(uuid, data, sha256(data))
    again = api.put_photo(uuid, data, sha256(data))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 1


def test_other_bytes_under_a_used_photo_id_are_a_conflict(client, auth, api):
    auth.login_as("leader")
    uuid = new_id()
    first = camera_jpeg(800, 600)
    api.put_photo(uuid, first, sha256(first))
    other = camera_jpeg(640, 480)
    response = api.put_photo(uuid, other, sha256(other))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "photo_changed"


@pytest.mark.parametrize(
    "make_body, status, code",
    [
        (lambda: b"%PDF-1.7 not a photo", 415, "not_an_image"),
        (lambda: camera_jpeg(800, 600)[:-3000], 422, "broken_image"),
        (decompression_bomb_png, 413, "too_many_pixels"),
        (lambda: b"", 400, "empty"),
        (lambda: Image_bmp(), 415, "unsupported_image"),
    ],
    ids=["not-an-image", "truncated-jpeg", "decompression-bomb", "empty", "bmp"],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    client, auth, api, db, make_body, status, code
):
    auth.login_as("leader")
    body = make_body()
    response = api.put_photo(new_id(), body, sha256(body))
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0


def Image_bmp() -> bytes:  # noqa: N802 — reads like the other cases in the table above
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    return buffer.getvalue()


def test_damaged_upload_is_caught_by_its_sha256(client, auth, api, db):
    auth.login_as("leader")
    data = camera_jpeg(800, 600)
    response = api.put_photo(new_id(), data, sha256(data + b"x"))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "sha256_mismatch"
    missing = api.put_photo(new_id(), data, None)
    assert missing.status_code == 400 and missing.json["error"]["code"] == "sha256_missing"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0


def test_png_with_transparency_is_stored_as_jpeg(client, auth, api):
    auth.login_as("member")
    data, uuid = png_bytes(), new_id()
    assert api.put_photo(uuid, data, sha256(data), "image/png").status_code == 201
    assert _stored_image(client, uuid).format == "JPEG"


def test_photo_upload_needs_csrf_and_sign_in(client, auth, db):
    data = camera_jpeg(320, 240)
    anonymous = client.put(f"/api/v1/photos/{new_id()}", data=data)
    assert anonymous.status_code in (400, 401)
    auth.login_as("leader")
    response = client.put(
        f"/api/v1/photos/{new_id()}", data=data, headers={"X-Content-SHA256": sha256(data)}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0


def test_another_users_photo_id_cannot_be_taken_over(client, auth, api):
    auth.login_as("leader")
    data, uuid = camera_jpeg(320, 240), new_id()
    api.put_photo(uuid, data, sha256(data))
    auth.logout()
    auth.login_as("leader")
    response = api.put_photo(uuid, data, sha256(data))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "photo_taken"


def test_photos_are_served_only_to_signed_in_users(client, auth, api):
    leader = auth.login_as("leader")
    data, uuid = camera_jpeg(320, 240), new_id()
    api.put_photo(uuid, data, sha256(data))
    auth.logout()
    response = client.get(f"/api/v1/photos/{uuid}")
    assert response.status_code == 401
    auth.login(leader.email)  # not attached to a record yet: its uploader's only
    with client.get(f"/api/v1/photos/{uuid}") as served:
        assert served.status_code == 200
    assert client.get(f"/api/v1/photos/{new_id()}").status_code == 404
    assert client.get("/api/v1/photos/not-a-uuid").status_code == 404
