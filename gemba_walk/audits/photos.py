"""Photos from the floor: checked by content, re-encoded without metadata, stored by SHA-256.

The phone already shrinks and cleans every photo; the server does not trust that. It opens the
bytes with Pillow (JPEG, PNG or WebP only, with byte and pixel limits so a decompression bomb is
refused before it is decoded), applies the EXIF orientation, drops all metadata (GPS included),
re-encodes as JPEG with the long edge at most 1600 px, and writes it and a thumbnail under
``PHOTO_STORAGE_PATH``, outside the web root, named by the SHA-256 of the stored bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError

from gemba_walk.audits.models import Photo
from gemba_walk.auth.models import User
from gemba_walk.config import Defaults
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTO_BYTES = 15 * 1024 * 1024
LONG_EDGE = 1600
THUMB_EDGE = 320
JPEG_QUALITY = 82


@dataclass(frozen=True)
class PixelLimit:
    """The largest image of one kind the server decodes: a long edge and a pixel count."""

    kind: str
    long_edge: int
    megapixels: int

    def allows(self, width: int, height: int) -> bool:
        return max(width, height) <= self.long_edge and width * height <= self.megapixels * 10**6


# The phone sends at most 1600 px on the long edge (2.6 MP). What a decode costs differs by
# format, so each has its own ceiling, chosen so one decode stays well under 100 MB:
# - a baseline JPEG is decoded at 1/2, 1/4 or 1/8 scale straight from the file (draft mode), so a
#   48 MP camera photo (the ticket page's file input sends them unshrunk) costs a few MB;
# - a progressive JPEG keeps every DCT coefficient of the full image while decoding (up to
#   6 bytes a pixel, whatever the scale), so it gets the ceiling of an uncompressed image;
# - PNG decodes whole at 4 bytes a pixel; WebP's decoder holds its canvas and a copy of it.
# Measured peaks are in docs/PERFORMANCE.md ("Photo uploads in bounded memory").
PIXEL_LIMITS = {
    "JPEG": PixelLimit("JPEG", 10_000, 50),
    "JPEG progressive": PixelLimit("progressive JPEG", 4096, 8),
    "PNG": PixelLimit("PNG", 4096, 6),
    "WEBP": PixelLimit("WebP", 4096, 3),
}
MAX_PHOTO_PIXELS = max(limit.megapixels for limit in PIXEL_LIMITS.values()) * 10**6

# Pillow refuses anything above twice this outright; our own checks (above) come first.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS

# Decoding is the one step whose memory grows with the image: at most PHOTO_DECODE_CONCURRENCY
# decodes at once in a process (one by default: a gunicorn worker's four threads would otherwise
# hold four decodes); the others wait up to PHOTO_DECODE_WAIT_SECONDS, then answer 503.
_decode_slots: threading.BoundedSemaphore | None = None
_decode_slots_lock = threading.Lock()


class PhotoError(DomainError):
    """A photo that cannot be stored, with an HTTP status and words a person understands."""


@dataclass
class StoredPhoto:
    photo: Photo
    created: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PhotoStore:
    """Content-addressed files: <root>/<aa>/<sha256>.jpg and <sha256>.thumb.jpg."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, digest: str, variant: str = "full") -> Path:
        suffix = ".thumb.jpg" if variant == "thumb" else ".jpg"
        return self.root / digest[:2] / f"{digest}{suffix}"

    def write(self, digest: str, variant: str, data: bytes) -> None:
        target = self.path(digest, variant)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a crash never leaves half a photo under the final name.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """A WebP's canvas size from its header. Pillow's WebP decoder allocates the whole canvas
    when the file is opened, so the size has to be checked before ``Image.open``."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _too_many_pixels(limit: PixelLimit, width: int, height: int) -> PhotoError:
    return PhotoError(
        413,
        "too_many_pixels",
        _(
            "The image is %(width)s × %(height)s pixels. A %(kind)s photo may have at most "
            "%(edge)s pixels on its long edge and %(megapixels)s megapixels. The app's camera "
            "sends %(sent)s pixels: take the photo in the app, or send a smaller image.",
            width=width,
            height=height,
            kind=limit.kind,
            edge=limit.long_edge,
            megapixels=limit.megapixels,
            sent=LONG_EDGE,
        ),
    )


def _check_size(image: Image.Image) -> None:
    """Refuse, from the header alone, an image that would cost too much to decode."""
    kind = image.format
    if kind == "JPEG" and image.info.get("progressive"):
        kind = "JPEG progressive"
    limit = PIXEL_LIMITS[kind]
    if not limit.allows(image.width, image.height):
        raise _too_many_pixels(limit, image.width, image.height)


def _open_checked(data: bytes) -> Image.Image:
    if not data:
        raise PhotoError(400, "empty", _("The upload was empty. Take the photo again."))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(
            413,
            "too_large",
            _("The photo is larger than %(size)s MB.", size=MAX_PHOTO_BYTES // 2**20),
        )
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = _webp_canvas_size(data[:30])
        if size is None:
            raise PhotoError(
                422, "broken_image", _("The image is damaged or incomplete. Take the photo again.")
            )
        if not PIXEL_LIMITS["WEBP"].allows(*size):
            raise _too_many_pixels(PIXEL_LIMITS["WEBP"], *size)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # lazy: reads the header, decodes nothing
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(
                    415, "unsupported_image", _("Only JPEG, PNG and WebP photos are accepted.")
                )
            _check_size(image)
            if image.format == "JPEG":
                # Decode a big camera JPEG at a reduced scale straight away (1/2, 1/4, 1/8),
                # never below the size we keep: far less memory and work than decoding 12 MP
                # and shrinking afterwards.
                image.draft("RGB", _fitted_size(image.size, LONG_EDGE))
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(413, "too_many_pixels", _("The image has far too many pixels.")) from error
    except UnidentifiedImageError as error:
        raise PhotoError(
            415,
            "not_an_image",
            _("This file is not an image. Only JPEG, PNG and WebP photos are accepted."),
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError(
            422, "broken_image", _("The image is damaged or incomplete. Take the photo again.")
        ) from error
    return image


def _fitted_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """The size of ``size`` scaled (never up) so its long edge is at most ``edge``."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Image.Image, edge: int) -> Image.Image:
    """Fit the image into ``edge`` × ``edge``, dropping the big decode as early as possible:
    an integer box reduction first (cheap, and the original is released), then Lanczos."""
    if max(image.size) <= edge:
        return image
    if image.mode == "P":
        image = image.convert("RGBA")
    factor = max(image.size) // edge
    if factor >= 2:
        image = image.reduce(factor)
    return image.resize(_fitted_size(image.size, edge), Image.Resampling.LANCZOS)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


@contextmanager
def _decode_slot():
    """Hold one of this process's decode slots while an image is decoded."""
    global _decode_slots
    with _decode_slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(_setting("PHOTO_DECODE_CONCURRENCY"))
    if not _decode_slots.acquire(timeout=_setting("PHOTO_DECODE_WAIT_SECONDS")):
        raise PhotoError(
            503, "busy", _("The server is busy with other photos. The photo will be sent again.")
        )
    try:
        yield
    finally:
        _decode_slots.release()


def _setting(key: str) -> int:
    # Outside an app (a script that builds none), the default config.py gives it.
    return int(current_app.config[key] if has_app_context() else getattr(Defaults, key))


def prepare_image(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """Check and re-encode an uploaded image: (full JPEG, thumbnail JPEG, (width, height))."""
    with _decode_slot():
        image = _open_checked(data)
        small = _shrink(image, LONG_EDGE)
        del image  # the full decode is no longer needed
        upright = ImageOps.exif_transpose(small)  # turn the pixels; the tag itself is not kept
        if upright.mode not in ("RGB", "L"):
            background = Image.new("RGB", upright.size, "white")
            rgba = upright.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            upright = background
        return _jpeg(upright), _jpeg(_shrink(upright, THUMB_EDGE)), upright.size


def may_see_photo(user: User, photo: Photo) -> bool:
    """Attached photos follow their record (findings and tickets are open to every signed-in
    user); a photo attached to nothing yet is its uploader's only."""
    if photo.finding_id is not None or photo.ticket_id is not None:
        return True
    return photo.uploaded_by_id == user.id


@dataclass
class PruneResult:
    rows: int
    files: int


def prune_unattached_photos(store: PhotoStore, older_than: timedelta) -> PruneResult:
    """Delete photos attached to nothing and uploaded more than ``older_than`` ago, with their
    files (a file is kept while another photo row still uses the same stored bytes).

    The attachment test is part of the DELETE itself, so a sync attaching a photo at the same
    moment either commits first (the photo stays) or finds it gone and asks the phone for it
    again (409 photos_missing): the phone keeps a photo until its batch is accepted."""
    cutoff = utcnow() - older_than
    unattached = sa.and_(
        Photo.finding_id.is_(None), Photo.ticket_id.is_(None), Photo.uploaded_at < cutoff
    )
    with write_transaction():
        digests = set(db.session.scalars(sa.select(Photo.stored_sha256).where(unattached)))
        rows = db.session.execute(sa.delete(Photo).where(unattached)).rowcount
    if not digests:
        return PruneResult(rows, 0)
    still_used = set(
        db.session.scalars(
            sa.select(Photo.stored_sha256).where(Photo.stored_sha256.in_(digests)).distinct()
        )
    )
    files = 0
    for digest in digests - still_used:
        for variant in ("full", "thumb"):
            try:
                store.path(digest, variant).unlink()
                files += 1
            except FileNotFoundError:
                pass
    return PruneResult(rows, files)


def find_photo(uuid: str) -> Photo | None:
    return db.session.scalar(sa.select(Photo).where(Photo.uuid == uuid))


def store_photo(
    store: PhotoStore, user: User, uuid: str, data: bytes, claimed_sha256: str | None
) -> StoredPhoto:
    """Store a photo idempotently: the same uuid with the same bytes answers as before;
    the same uuid with other bytes is a conflict."""
    digest = sha256_hex(data)
    if not claimed_sha256:
        raise PhotoError(400, "sha256_missing", _("Send the photo's SHA-256 in X-Content-SHA256."))
    if claimed_sha256.strip().lower() != digest:
        raise PhotoError(
            400,
            "sha256_mismatch",
            _("The photo arrived damaged (its SHA-256 does not match). It will be sent again."),
        )
    existing = find_photo(uuid)
    if existing is not None:
        return StoredPhoto(_same_or_conflict(existing, user, digest), created=False)
    full, thumb, (width, height) = prepare_image(data)
    stored_digest = sha256_hex(full)
    store.write(stored_digest, "full", full)
    store.write(stored_digest, "thumb", thumb)
    try:
        with write_transaction():
            existing = find_photo(uuid)  # another request may have stored it meanwhile
            if existing is not None:
                return StoredPhoto(_same_or_conflict(existing, user, digest), created=False)
            photo = Photo(
                uuid=uuid,
                sha256=digest,
                stored_sha256=stored_digest,
                content_type="image/jpeg",
                width=width,
                height=height,
                byte_size=len(full),
                uploaded_by_id=user.id,
            )
            db.session.add(photo)
    except IntegrityError:
        # The same upload committed in another request between our look and our insert (on
        # PostgreSQL both look at once; SQLite's single writer never lets that happen): the
        # photo is stored, so answer with it as for any retry.
        existing = find_photo(uuid)
        if existing is None:
            raise
        return StoredPhoto(_same_or_conflict(existing, user, digest), created=False)
    return StoredPhoto(photo, created=True)


def _same_or_conflict(photo: Photo, user: User, digest: str) -> Photo:
    if photo.uploaded_by_id != user.id:
        raise PhotoError(409, "photo_taken", _("This photo id belongs to another user's record."))
    if photo.sha256 != digest:
        raise PhotoError(
            409, "photo_changed", _("A different photo was already stored under this id.")
        )
    return photo
