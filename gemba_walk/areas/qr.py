"""QR codes for area labels, with error correction H so a scratched or dirty label still scans."""

from __future__ import annotations

import io
from itertools import groupby

import qrcode
from qrcode.constants import ERROR_CORRECT_H

QUIET_ZONE = 4  # modules of white border the QR standard asks for


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=QUIET_ZONE, box_size=10)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str, label: str = "QR code") -> str:
    """A compact SVG: one path of horizontal runs, no style attributes (the CSP forbids them)."""
    matrix = _qr(data).get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        for dark, group in groupby(row):
            length = len(list(group))
            if dark:
                runs.append(f"M{x} {y}h{length}v1h-{length}z")
            x += length
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{_escape(label)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def qr_png(data: str, box_size: int = 10) -> bytes:
    code = _qr(data)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
