"""The auditor's signature drawn with a finger on the phone: a small PNG sent inside the audit.

It travels as base64 in the audit record (so it is stored exactly once, with the audit, and a
resend is compared by the audit's hash). The server does not trust it: it must be a PNG, small
in bytes and in pixels, and it is decoded with Pillow and written again, so nothing but the
drawing is kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import warnings

from PIL import Image, UnidentifiedImageError

from gemba_walk.core.i18n import gettext as _
from gemba_walk.field_rules import LIMITS

# The field rules' (field_rules.json "limits.signature"): the PNG itself, 96 kB (a drawn line on
# 600 × 200 is a few kB), within 1200 × 600 pixels.
MAX_SIGNATURE_BYTES = LIMITS["signature"]["max_bytes"]
MAX_SIGNATURE_BASE64 = (MAX_SIGNATURE_BYTES + 2) // 3 * 4
MAX_SIGNATURE_WIDTH = LIMITS["signature"]["max_width"]
MAX_SIGNATURE_HEIGHT = LIMITS["signature"]["max_height"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SignatureRefused(ValueError):
    """A signature the server does not keep, with words a person understands."""


def clean_signature(encoded: str) -> tuple[bytes, str]:
    """The signature as a re-encoded PNG and its SHA-256, or SignatureRefused saying why."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureRefused(_("The signature is not a base64-encoded PNG.")) from error
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureRefused(
            _(
                "The signature is larger than %(size)s kB; sign again.",
                size=MAX_SIGNATURE_BYTES // 1024,
            )
        )
    if not data.startswith(PNG_MAGIC):
        raise SignatureRefused(_("The signature is not a PNG image; sign again."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format != "PNG":
                raise SignatureRefused(_("The signature is not a PNG image; sign again."))
            width, height = image.size
            if width > MAX_SIGNATURE_WIDTH or height > MAX_SIGNATURE_HEIGHT:
                raise SignatureRefused(
                    _(
                        "The signature is %(width)s × %(height)s pixels; at most "
                        "%(max_width)s × %(max_height)s are accepted.",
                        width=width,
                        height=height,
                        max_width=MAX_SIGNATURE_WIDTH,
                        max_height=MAX_SIGNATURE_HEIGHT,
                    )
                )
            image.load()
            drawing = image.convert("LA" if image.mode in ("1", "L", "LA", "I") else "RGBA")
    except SignatureRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise SignatureRefused(_("The signature image is damaged; sign again.")) from error
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG", optimize=True)
    png = buffer.getvalue()
    return png, hashlib.sha256(png).hexdigest()
