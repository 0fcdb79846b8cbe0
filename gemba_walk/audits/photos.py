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
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError

from gemba_walk.audits.models import Photo
from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.extensions import db

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000  # a 48 MP phone camera fits; a 20k × 20k bomb does not
LONG_EDGE = 1600
THUMB_EDGE = 320
JPEG_QUALITY = 82

# Pillow refuses anything above twice this outright; our own check (above) comes first.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS


class PhotoError(Exception):
    """A photo that cannot be stored, with an HTTP status and words a person understands."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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


def _open_checked(data: bytes) -> Image.Image:
    if not data:
        raise PhotoError(400, "empty", "The upload was empty. Take the photo again.")
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(
            413, "too_large", f"The photo is larger than {MAX_PHOTO_BYTES // 2**20} MB."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(
                    415, "unsupported_image", "Only JPEG, PNG and WebP photos are accepted."
                )
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise PhotoError(
                    413,
                    "too_many_pixels",
                    f"The image is {image.width} × {image.height} pixels; "
                    f"at most {MAX_PHOTO_PIXELS // 1_000_000} megapixels are accepted.",
                )
            if image.format == "JPEG":
                # Decode a big camera JPEG at a reduced scale straight away (1/2, 1/4, 1/8):
                # far less work than decoding 12 MP and shrinking afterwards.
                image.draft("RGB", (LONG_EDGE, LONG_EDGE))
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(413, "too_many_pixels", "The image has far too many pixels.") from error
    except UnidentifiedImageError as error:
        raise PhotoError(
            415,
            "not_an_image",
            "This file is not an image. Only JPEG, PNG and WebP photos are accepted.",
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError(
            422, "broken_image", "The image is damaged or incomplete. Take the photo again."
        ) from error
    return image


def _fit(image: Image.Image, edge: int) -> Image.Image:
    if max(image.size) <= edge:
        return image
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return copy


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def prepare_image(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """Check and re-encode an uploaded image: (full JPEG, thumbnail JPEG, (width, height))."""
    image = _open_checked(data)
    upright = ImageOps.exif_transpose(image)  # turn the pixels; the tag itself is not kept
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    fitted = _fit(upright, LONG_EDGE)
    return _jpeg(fitted), _jpeg(_fit(fitted, THUMB_EDGE)), fitted.size


def find_photo(uuid: str) -> Photo | None:
    return db.session.scalar(sa.select(Photo).where(Photo.uuid == uuid))


def store_photo(
    store: PhotoStore, user: User, uuid: str, data: bytes, claimed_sha256: str | None
) -> StoredPhoto:
    """Store a photo idempotently: the same uuid with the same bytes answers as before;
    the same uuid with other bytes is a conflict."""
    digest = sha256_hex(data)
    if not claimed_sha256:
        raise PhotoError(400, "sha256_missing", "Send the photo's SHA-256 in X-Content-SHA256.")
    if claimed_sha256.strip().lower() != digest:
        raise PhotoError(
            400,
            "sha256_mismatch",
            "The photo arrived damaged (its SHA-256 does not match). It will be sent again.",
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
        raise PhotoError(409, "photo_taken", "This photo id belongs to another user's record.")
    if photo.sha256 != digest:
        raise PhotoError(
            409, "photo_changed", "A different photo was already stored under this id."
        )
    return photo


def photo_json(photo: Photo) -> dict:
    return {
        "uuid": photo.uuid,
        "sha256": photo.sha256,
        "width": photo.width,
        "height": photo.height,
        "bytes": photo.byte_size,
        "content_type": photo.content_type,
    }
