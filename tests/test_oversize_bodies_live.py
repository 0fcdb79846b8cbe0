"""An over-size body is a 413 however it is sent. A phone or a proxy
may send chunked (no Content-Length); gunicorn passes such a body on as it comes, so only the
real server shows what happens when it runs past the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from gemba_walk.api.views import MAX_SYNC_BYTES
from gemba_walk.audits.photos import MAX_PHOTO_BYTES
from gemba_walk.core.ids import new_uuid
from tests.factories import UserFactory
from tests.live_tools import LiveUser
from tests.photo_tools import sha256


def chunked(data: bytes, size: int = 256 * 1024):
    """The body as a generator: requests sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture
def phone(db, live_server):
    email = UserFactory(role="leader").email
    db.session.rollback()
    phone = LiveUser(live_server, email)
    yield phone
    phone.close()


@pytest.mark.parametrize("over", [1024, 6 * 2**20])  # past the photo limit; past the app's too
def test_a_photo_too_large_sent_chunked_is_413_not_a_damaged_upload(phone, live_server, over):
    data = b"\xff\xd8" + b"\0" * (MAX_PHOTO_BYTES + over)
    answer = phone.put_photo(new_uuid(), chunked(data), digest=sha256(data))
    assert answer.status_code == 413, answer.text[:300]
    assert answer.json()["error"] == {
        "code": "too_large",
        "message": f"The photo is larger than {MAX_PHOTO_BYTES // 2**20} MB.",
    }
    assert "Traceback" not in Path(live_server._log.name).read_text()


def test_a_photo_too_large_with_a_content_length_is_413_before_it_is_read(phone):
    data = b"\xff\xd8" + b"\0" * (MAX_PHOTO_BYTES + 1)
    answer = phone.put_photo(new_uuid(), data)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"


def test_a_sync_batch_too_large_sent_chunked_is_413(phone):
    body = b'{"batch_id": "' + b"x" * (MAX_SYNC_BYTES + 10) + b'"}'
    answer = phone.http.post(
        f"{phone.base}/api/v1/sync",
        data=chunked(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": phone.token},
        timeout=60,
    )
    assert answer.status_code == 413, answer.text[:300]
    assert answer.json()["error"] == {
        "code": "too_large",
        "message": "The batch is too large; send fewer records at once.",
    }


def test_a_photo_of_normal_size_sent_chunked_is_stored(phone):
    from tests.photo_tools import camera_jpeg

    data = camera_jpeg(1600, 1200)
    answer = phone.put_photo(new_uuid(), chunked(data, 64 * 1024), digest=sha256(data))
    assert answer.status_code == 201, answer.text[:300]
