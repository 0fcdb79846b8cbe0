"""A worker's memory under photo uploads, measured in the live gunicorn worker.

A small file can claim a huge image: a one-colour 7000 × 7000 PNG is 160 KB and used to grow a
worker by ~630 MB when decoded. The server now reads the size from the header, refuses what is
far above what the phone sends, decodes JPEGs at a reduced scale and decodes one image at a time
per process. Each accepted upload, at the largest size each format may have, must raise the
worker's peak memory by less than 100 MB."""

from __future__ import annotations

import io
import uuid as uuid_module
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageDraw

from tests.factories import UserFactory
from tests.live_http import LiveClient, memory_mb, reset_peak, worker_pid
from tests.photo_tools import sha256

MB_PER_UPLOAD = 100


def striped(width: int, height: int, fmt: str, mode: str = "RGB", **options) -> bytes:
    """An image with some lines on it (so it is not all one run), small on disk."""
    image = Image.new(mode, (width, height), (40, 120, 200) if mode != "P" else 3)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 97):
        draw.line([(x, 0), (width - x, height)], fill=(200, 30, 30) if mode != "P" else 7, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def one_colour_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (255, 255, 255)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture
def phone(app, own_live_server):
    """A member's phone signed in to a fresh gunicorn worker, warmed up by one small upload
    (so imports and Pillow's plug-ins are not counted against the first real photo)."""
    user = UserFactory(role="member")
    client = LiveClient(own_live_server)
    assert client.sign_in(user.email).status == 302
    warm = striped(320, 240, "JPEG")
    assert client.put_photo(str(uuid_module.uuid4()), warm, sha256(warm)).status == 201
    client.worker = worker_pid(own_live_server.process.pid)
    return client


def peak_growth_mb(worker: int, send) -> tuple[float, object]:
    before = memory_mb(worker)
    reset_peak(worker)
    result = send()
    return memory_mb(worker, "VmHWM") - before, result


def test_a_small_file_claiming_a_huge_image_is_refused_before_it_is_decoded(phone):
    bomb = one_colour_png(7000)
    assert len(bomb) < 1_000_000
    growth, answer = peak_growth_mb(
        phone.worker, lambda: phone.put_photo(str(uuid_module.uuid4()), bomb, sha256(bomb))
    )
    assert answer.status == 413
    error = answer.json["error"]
    assert error["code"] == "too_many_pixels"
    assert "7000 × 7000 pixels" in error["message"]
    assert "at most 4096 pixels on its long edge and 6 megapixels" in error["message"]
    assert growth < 20, f"refusing the bomb grew the worker by {growth:.0f} MB"


# The largest image of each kind the server accepts (see PIXEL_LIMITS in audits/photos.py).
LARGEST_ACCEPTED = {
    "48 MP camera JPEG": lambda: striped(8660, 5773, "JPEG", quality=85, subsampling=0),
    "8 MP progressive JPEG": lambda: striped(
        3464, 2309, "JPEG", quality=90, progressive=True, subsampling=0
    ),
    "6 MP PNG with alpha": lambda: striped(4096, 1464, "PNG", mode="RGBA"),
    "6 MP palette PNG": lambda: striped(4096, 1464, "PNG", mode="P"),
    "3 MP WebP": lambda: striped(2121, 1414, "WEBP", quality=80),
    "3 MP lossless WebP": lambda: striped(2121, 1414, "WEBP", lossless=True),
}


@pytest.mark.parametrize("kind", LARGEST_ACCEPTED)
def test_the_largest_accepted_photo_of_each_kind_costs_under_100_mb(phone, kind):
    data = LARGEST_ACCEPTED[kind]()
    growth, answer = peak_growth_mb(
        phone.worker, lambda: phone.put_photo(str(uuid_module.uuid4()), data, sha256(data))
    )
    assert answer.status == 201, answer.text
    assert max(answer.json["width"], answer.json["height"]) == 1600
    print(f"{kind}: {len(data) // 1024} kB, worker peak +{growth:.0f} MB")
    assert growth < MB_PER_UPLOAD, f"{kind} grew the worker by {growth:.0f} MB"


def test_six_large_uploads_at_once_stay_under_100_mb(phone):
    """Six phones send a 6 MP PNG at the same moment to a worker with four threads: the worker
    decodes one at a time (PHOTO_DECODE_CONCURRENCY) and gives each decode's memory back, so
    the peak is that of one photo, not of four (it was +184 MB with four decodes at once)."""
    photos = [striped(4096, 1464, "PNG", mode="RGBA") for _ in range(6)]

    def send_all():
        with ThreadPoolExecutor(max_workers=6) as pool:
            return list(
                pool.map(
                    lambda data: phone.put_photo(str(uuid_module.uuid4()), data, sha256(data)),
                    photos,
                )
            )

    growth, answers = peak_growth_mb(phone.worker, send_all)
    assert [answer.status for answer in answers] == [201] * 6
    print(f"six 6 MP PNGs at once: worker peak +{growth:.0f} MB")
    assert growth < MB_PER_UPLOAD, f"six uploads at once grew the worker by {growth:.0f} MB"
