"""Web Push (RFC 8030/8291/8292): VAPID keys generated into instance/ on first run; the payload
is encrypted (aes128gcm) to the subscription's key by pywebpush and posted under the egress
policy (notify/egress.py) to a known push service only."""

from __future__ import annotations

import base64
import json
import os
from fnmatch import fnmatchcase
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from gemba_walk.core.i18n import gettext
from gemba_walk.notify import egress
from gemba_walk.notify.addresses import ip_literal, is_loopback
from gemba_walk.notify.channels import Gone, Retry

KEY_FILE = "vapid_private.pem"
# The push services of the browsers people use; an admin adds another with
# PUSH_EXTRA_SERVICE_HOSTS (instance/config.py), "*." for any subdomain.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, most Chromium browsers
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari
    "*.notify.windows.com",  # Edge on Windows
)
# Answers after which a subscription never works again: gone (404, 410), refused as malformed
# or for another server's key (400, 403).
DEAD_ANSWERS = (400, 403, 404, 410)


def service_hosts() -> tuple[str, ...]:
    extra = current_app.config["PUSH_EXTRA_SERVICE_HOSTS"]
    if isinstance(extra, str):
        extra = [host.strip() for host in extra.split(",") if host.strip()]
    return PUSH_SERVICE_HOSTS + tuple(host.lower() for host in extra)


def check_endpoint(url: object) -> egress.Target:
    """A push endpoint the server will post to: the egress policy, on a known push service."""
    allow_http = bool(current_app.config["PUSH_ALLOW_HTTP_ENDPOINTS"])
    target = egress.parse(url, allow_http=allow_http)
    literal = ip_literal(target.host)
    if literal is not None and egress.loopback_allowed() and is_loopback(literal):
        return target  # a test's push service on loopback
    if not any(fnmatchcase(target.host, pattern) for pattern in service_hosts()):
        raise egress.EgressRefused(
            "unknown_push_service",
            gettext(
                "%(host)s is not a known push service; the browser's own push service "
                "gives the address.",
                host=target.host,
            ),
        )
    return target


def check_keys(p256dh: str, auth: str) -> None:
    """The browser's key: an uncompressed P-256 point; its auth secret: exactly 16 bytes.
    Raises ValueError naming which."""
    try:
        raw = base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))
        if len(raw) != 65 or raw[0] != 4:
            raise ValueError("p256dh")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, TypeError) as error:
        raise ValueError("p256dh") from error
    try:
        secret = base64.urlsafe_b64decode(auth + "=" * (-len(auth) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("auth") from error
    if len(secret) != 16:
        raise ValueError("auth")


class _Answer:
    """What pywebpush reads of a response."""

    def __init__(self, answer: egress.Answer):
        self.status_code = answer.status
        self.reason = answer.reason
        self.headers = answer.headers
        self.content = answer.body
        self.text = answer.text


class _EgressSession:
    """pywebpush posts through this: the egress policy instead of a plain requests.post."""

    def post(self, url, data=None, headers=None, timeout=None, **_ignored):
        check_endpoint(url)
        allow_http = bool(current_app.config["PUSH_ALLOW_HTTP_ENDPOINTS"])
        body = data if isinstance(data, bytes) else (data or "").encode()
        sent = {str(k): str(v) for k, v in (headers or {}).items()}
        return _Answer(egress.post(url, body, sent, allow_http=allow_http))


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
    """Raises Gone when the subscription can never work (expired, refused, broken keys, an
    address the policy refuses), Retry when later may work. Errors name the host only: the
    endpoint's path is a capability."""
    host = egress.host_of(subscription.get("endpoint", ""))
    try:
        webpush(
            subscription_info=subscription,
            data=json.dumps(payload),
            vapid_private_key=vapid,
            vapid_claims={"sub": subject},
            ttl=24 * 3600,
            headers={"Urgency": "high" if urgent else "normal"},
            requests_session=_EgressSession(),  # type: ignore[arg-type]
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status is None:
            raise Gone(f"push subscription at {host} is broken: {error.message}") from error
        if status in DEAD_ANSWERS:
            raise Gone(f"push subscription at {host} is dead ({status})") from error
        raise Retry(f"push service {host} answered {status}") from error
    except egress.EgressRefused as error:
        raise Gone(f"push endpoint at {host} refused: {error.message}") from error
    except egress.EgressFailed as error:
        raise Retry(f"push service {host}: {error}") from error
    except (ValueError, TypeError) as error:  # keys that are no P-256 point (http_ece)
        raise Gone(f"push subscription at {host} has broken keys: {error}") from error
