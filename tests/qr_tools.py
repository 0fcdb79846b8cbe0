"""Independent QR tools for tests: zxing-cpp decodes; a Y4M file feeds Chromium's fake camera."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
import zxingcpp
from PIL import Image


def decode_all(image: Image.Image | bytes | Path) -> set[str]:
    """Every QR code zxing-cpp finds in the image, as text."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    elif isinstance(image, Path):
        image = Image.open(image)
    return {result.text for result in zxingcpp.read_barcodes(image.convert("L"))}


def write_fake_camera_video(text: str, path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """A one-frame Y4M video showing a QR code of ``text`` on a grey desk, for
    Chromium's --use-file-for-fake-video-capture."""
    width, height = size
    qr = qrcode.make(text, border=4).get_image().convert("L").resize((300, 300), Image.NEAREST)
    frame = Image.new("L", size, 128)
    frame.paste(qr, ((width - 300) // 2, (height - 300) // 2))
    ycbcr = frame.convert("RGB").convert("YCbCr")
    y, cb, cr = ycbcr.split()
    half = (width // 2, height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n")
        out.write(y.tobytes())
        out.write(cb.resize(half).tobytes())
        out.write(cr.resize(half).tobytes())
    return path
