"""Web Push as a push service sees it: a local endpoint receives what pywebpush sends, and the
test decrypts it (aes128gcm, RFC 8291) with the subscription's own private key; VAPID signs the
request with the key made in instance/ on first use; an expired subscription (410) is removed."""

from __future__ import annotations

import base64
import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs
from gemba_walk.notify.channels import push as push_channel
from gemba_walk.notify.models import PushSubscription
from tests import notify_tools
from tests.factories import AreaFactory, UserFactory


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A push service endpoint on loopback: keeps each request's headers and body."""

    def __init__(self, status: int = 201):
        self.received: list[tuple[dict, bytes]] = []
        self.status = status
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/push/device-1"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    made = PushService()
    yield made
    made.stop()


@pytest.fixture
def device():
    """A browser's subscription keys: its ECDH P-256 key pair and its 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"key": key, "p256dh": b64(public), "auth_secret": b"0123456789abcdef"}


@pytest.fixture
def plant(db):
    leader = UserFactory(role="leader")
    area = AreaFactory(owner=leader)
    reporter = UserFactory(role="member")
    db.session.commit()
    return {"leader": leader, "area": area, "reporter": reporter}


def subscribe(client, auth, user, endpoint, device):
    auth.login(user.email)
    return client.post(
        "/notifications/push/subscriptions",
        json={
            "endpoint": endpoint,
            "keys": {"p256dh": device["p256dh"], "auth": b64(device["auth_secret"])},
        },
        headers={"X-CSRFToken": auth.csrf_token()},
    )


def report(plant, severity="medium"):
    return report_problem(
        plant["reporter"],
        area_id=plant["area"].id,
        category="safety",
        severity=severity,
        description="Light curtain bypassed",
    ).ticket


def test_a_push_arrives_encrypted_to_the_device_and_signed_by_the_server(
    app, db, client, auth, service, device, plant
):
    assert subscribe(client, auth, plant["leader"], service.url, device).status_code == 201
    ticket = report(plant, severity="critical")
    jobs.run_pending()
    # The ticket opened, the andon pull (urgent), due tomorrow: each decrypted by the device.
    assert len(service.received) == 3
    vapid = push_channel.load_or_create_vapid(app.instance_path)
    payloads = []
    for headers, body in service.received:
        assert headers["content-encoding"] == "aes128gcm"
        assert f"k={push_channel.application_server_key(vapid)}" in headers["authorization"]
        clear = http_ece.decrypt(
            body, private_key=device["key"], auth_secret=device["auth_secret"], version="aes128gcm"
        )
        payloads.append((headers["urgency"], json.loads(clear)))
    urgent = [payload for urgency, payload in payloads if urgency == "high"]
    assert len(urgent) == 1 and urgent[0]["title"].startswith("Andon")
    assert "Light curtain" in urgent[0]["body"]
    assert {payload["url"] for _, payload in payloads} == {f"/tickets/{ticket.number}"}
    jobs.run_pending()
    assert len(service.received) == 3, "sent once"


def test_an_expired_subscription_is_removed(db, client, auth, device, plant):
    gone = PushService(status=410)
    try:
        subscribe(client, auth, plant["leader"], gone.url, device)
        report(plant)
        jobs.run_pending()
        assert len(gone.received) == 1
    finally:
        gone.stop()
    assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0
    assert [row[3] for row in notify_tools.deliveries(db, "push")] == ["skipped"]


FCM = "https://fcm.googleapis.com/fcm/send/dev-1"
GOOD_KEY = b64(
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
)
GOOD_AUTH = b64(b"0123456789abcdef")


@pytest.mark.parametrize(
    "body, words",
    [
        (None, "push subscription as JSON"),
        ({"endpoint": "ftp://x/y", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}, "https://"),
        ({"endpoint": FCM, "keys": {"p256dh": "not base64!", "auth": "AA"}}, "p256dh"),
        ({"endpoint": FCM, "keys": {"p256dh": "AAAA", "auth": 7}}, "auth"),
        # Valid base64, but 0x04 and 64 zero bytes is no P-256 point.
        (
            {"endpoint": FCM, "keys": {"p256dh": b64(b"\x04" + bytes(64)), "auth": GOOD_AUTH}},
            "p256dh key is not a P-256 public key",
        ),
        (
            {"endpoint": FCM, "keys": {"p256dh": b64(bytes(33)), "auth": GOOD_AUTH}},
            "p256dh key is not a P-256 public key",
        ),
        (
            {"endpoint": FCM, "keys": {"p256dh": GOOD_KEY, "auth": b64(b"short")}},
            "auth secret must be 16 bytes",
        ),
        # Where the server would connect for anyone who asks.
        ({"endpoint": "https://[::1/x", "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH}}, "IPv6"),
        (
            {
                "endpoint": "https://127.0.0.1:5211/",
                "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH},
            },
            "not allowed",
        ),
        (
            {"endpoint": "https://2130706433/", "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH}},
            "not a usual way",
        ),
        (
            {
                "endpoint": "https://169.254.169.254/latest/meta-data/",
                "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH},
            },
            "special use",
        ),
        (
            {
                "endpoint": "https://localhost/logout",
                "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH},
            },
            "not a known push service",
        ),
        (
            {
                "endpoint": "https://fcm.googleapis.com.evil.example/fcm/send/1",
                "keys": {"p256dh": GOOD_KEY, "auth": GOOD_AUTH},
            },
            "not a known push service",
        ),
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(app, db, client, auth, plant, body, words):
    app.config["TEST_ALLOW_LOOPBACK_RECEIVERS"] = False
    auth.login(plant["leader"].email)
    answer = client.post(
        "/notifications/push/subscriptions", json=body, headers={"X-CSRFToken": auth.csrf_token()}
    )
    assert answer.status_code == 422, answer.text
    assert words in html.unescape(answer.text)
    assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0


def test_the_consumer_logs_the_push_services_host_never_the_endpoint(
    db, client, auth, device, plant, caplog
):
    """An endpoint's path is a capability (whoever has it can push to
    the device); a push service that cannot be reached is logged by its host only."""
    import logging
    import socket

    with socket.socket() as closed:  # a port nobody listens on: the push service is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/push/secret-capability-1234"
    assert subscribe(client, auth, plant["leader"], endpoint, device).status_code == 201
    caplog.set_level(logging.WARNING)
    report(plant)
    jobs.run_pending()
    assert [row[3] for row in notify_tools.deliveries(db, "push")][0] == "pending", "retried"
    assert "will be retried" in caplog.text and "127.0.0.1" in caplog.text
    assert "secret-capability" not in caplog.text
