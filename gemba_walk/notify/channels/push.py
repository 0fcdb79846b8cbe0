"""Web Push (RFC 8030/8291/8292): VAPID keys generated into instance/ on first run; the payload
is encrypted (aes128gcm) to the subscription's key by pywebpush."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from gemba_walk.notify.channels import Gone, Retry

KEY_FILE = "vapid_private.pem"


def key_path(instance_path: str) -> Path:
    return Path(instance_path) / KEY_FILE


def load_or_create_vapid(instance_path: str) -> Vapid:
    """The server's VAPID key pair, made once (O_EXCL, so two workers agree on one)."""
    path = key_path(instance_path)
    if not path.exists():
        vapid = Vapid()
        vapid.generate_keys()
        pem = vapid.private_pem()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return Vapid.from_file(str(path))


def application_server_key(vapid: Vapid) -> str:
    """The public key as the browser's pushManager.subscribe() wants it (base64url, raw)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def send(vapid: Vapid, subject: str, subscription: dict, payload: dict, urgent: bool) -> None:
    try:
        webpush(
            subscription_info=subscription,
            data=json.dumps(payload),
            vapid_private_key=vapid,
            vapid_claims={"sub": subject},
            ttl=24 * 3600,
            headers={"Urgency": "high" if urgent else "normal"},
            timeout=10,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            raise Gone(f"push subscription expired ({status})") from error
        raise Retry(f"push service answered {status}: {error}") from error
    except OSError as error:
        raise Retry(f"push service unreachable: {error}") from error
