"""Real images for photo tests: camera-like JPEGs with EXIF orientation and GPS, broken files."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def camera_jpeg(width: int = 4000, height: int = 3000, orientation: int | None = 6) -> bytes:
    """A JPEG as a phone camera writes it: sensor-oriented pixels, an orientation tag and GPS.

    A red block marks the sensor's top-left corner so a test can see which way is up."""
    image = Image.new("RGB", (width, height), (40, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width // 4, height // 4], fill=(220, 30, 30))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.5)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 1.2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 200, 0, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A small file that claims 20k × 20k pixels (400 MP) — a few hundred kB on disk."""
    buffer = io.BytesIO()
    Image.new("1", (side, side), 0).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
