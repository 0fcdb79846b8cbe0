"""Webhooks against a local receiver that checks signatures as the Standard Webhooks convention
says; a failing receiver is retried with backoff and every answer logged; one that keeps failing
is paused and the admins are told; bad addresses are refused (not HTTPS, this server, the local
network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs, webhooks
from gemba_walk.notify.models import WebhookDelivery, WebhookEndpoint
from gemba_walk.tickets import workflow
from tests import notify_tools
from tests.factories import AreaFactory, UserFactory


class Receiver:
    """A system of the plant that verifies each delivery's signature with the shared secret."""

    def __init__(self):
        self.secret = None
        self.status = 200
        self.events: list[dict] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not receiver.verified(self.headers, body):
                    receiver.bad_signatures += 1
                elif receiver.status < 300:  # a busy receiver keeps nothing
                    receiver.events.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                answer = b"ok" if receiver.status < 300 else b"busy, later please"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/gemba"

    def verified(self, headers, body: bytes) -> bool:
        msg_id, stamp = headers["webhook-id"], headers["webhook-timestamp"]
        if abs(time.time() - int(stamp)) > 300:  # the convention's replay window
            return False
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        expected = base64.b64encode(
            hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        ).decode()
        return any(
            hmac.compare_digest(expected, sig.split(",", 1)[1])
            for sig in headers["webhook-signature"].split()
        )

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOW_INSECURE"] = True  # the receiver is plain HTTP on loopback
    made = Receiver()
    yield made
    made.stop()


@pytest.fixture
def plant(db):
    admin = UserFactory(role="admin")
    leader = UserFactory(role="leader")
    area = AreaFactory(owner=leader, code="PR-1")
    reporter = UserFactory(role="member")
    db.session.commit()
    return {"admin": admin, "leader": leader, "area": area, "reporter": reporter}


def report(plant, text="Oil under press 3"):
    return report_problem(
        plant["reporter"],
        area_id=plant["area"].id,
        category="safety",
        severity="medium",
        description=text,
    ).ticket


def test_deliveries_are_signed_once_per_event_with_the_ticket(db, receiver, plant):
    endpoint = webhooks.register_endpoint(
        plant["admin"], receiver.url, ["ticket.opened", "ticket.status_changed"]
    )
    receiver.secret = endpoint.secret
    ticket = report(plant)
    with write_transaction():
        workflow.transition(ticket, plant["leader"], "start")
    jobs.run_pending()
    jobs.run_pending()
    assert receiver.bad_signatures == 0
    assert [e["type"] for e in receiver.events] == ["ticket.opened", "ticket.status_changed"]
    opened = receiver.events[0]["data"]["ticket"]
    assert opened["display_number"] == ticket.display_number and opened["area"]["code"] == "PR-1"
    assert receiver.events[1]["data"]["event"] == "ticket.started"
    logged = db.session.scalars(sa.select(WebhookDelivery)).all()
    assert [(d.status, d.response_status, d.response_body) for d in logged] == [
        ("sent", 200, "ok"),
        ("sent", 200, "ok"),
    ]


def test_a_wrong_secret_is_caught_by_the_receiver(db, receiver, plant):
    webhooks.register_endpoint(plant["admin"], receiver.url, ["ticket.opened"])
    receiver.secret = webhooks.new_secret()
    report(plant)
    jobs.run_pending()
    assert receiver.events == [] and receiver.bad_signatures == 1


def test_a_failing_receiver_is_retried_with_backoff_then_paused_and_the_admin_told(
    app, db, receiver, plant, client, auth
):
    app.config["WEBHOOK_PAUSE_AFTER"] = 3
    endpoint = webhooks.register_endpoint(plant["admin"], receiver.url, ["ticket.opened"])
    receiver.secret = endpoint.secret
    receiver.status = 503
    report(plant)
    now = utcnow()
    jobs.run_pending(now)
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
    assert delivery.response_body == "busy, later please"
    assert delivery.next_try_at == now + timedelta(seconds=30)
    jobs.run_pending(now + timedelta(seconds=10))
    db.session.refresh(delivery)
    assert delivery.attempts == 1, "not before its backoff"
    jobs.run_pending(now + timedelta(seconds=31))
    db.session.refresh(delivery)
    assert delivery.attempts == 2 and delivery.next_try_at == now + timedelta(seconds=91)

    report(plant, "Guard missing on saw 2")  # the third failure in a row pauses the endpoint
    jobs.run_pending(now + timedelta(seconds=40))
    db.session.refresh(endpoint)
    assert (
        endpoint.paused_at is not None and "3 deliveries in a row failed" in endpoint.pause_reason
    )
    jobs.run_pending(now + timedelta(seconds=41))
    told = [user_id for user_id, message in notify_tools.inbox(db) if "is paused" in message]
    assert told == [plant["admin"].id]
    # The admin reads why on the webhook's page in their own language (stored in English).
    plant["admin"].language = "de"
    db.session.commit()
    auth.login(plant["admin"].email)
    page = html.unescape(client.get(f"/admin/webhooks/{endpoint.id}").text)
    assert "3 Zustellungen in Folge fehlgeschlagen; zuletzt:" in page
    assert "deliveries in a row" not in page
    auth.logout()

    receiver.status = 200
    jobs.run_pending(now + timedelta(hours=2))
    assert receiver.events == [], "a paused endpoint gets nothing"
    webhooks.resume_endpoint(endpoint)
    jobs.run_pending(now + timedelta(hours=2))
    assert sorted(e["data"]["ticket"]["title"] for e in receiver.events) == [
        "Guard missing on saw 2",
        "Oil under press 3",
    ]


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://bi.example.com/hook", "must start with https://"),
        ("https://gemba.test/api/hook", "cannot point at this server"),
        ("https://localhost/hook", "cannot point at this server"),
        ("https://127.0.0.1/hook", "local network"),
        ("https://10.1.2.3/hook", "local network"),
        ("https://[::1]/hook", "local network"),
        ("https://user:pw@bi.example.com/hook", "no user name"),
        ("ftp://bi.example.com", "https://"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(app, db, client, auth, url, words):
    app.config["TEST_ALLOW_LOOPBACK_RECEIVERS"] = False
    auth.login_as("admin")
    token = auth.csrf_token("/admin/webhooks")
    answer = client.post(
        "/admin/webhooks", data={"csrf_token": token, "url": url, "event": "ticket.opened"}
    )
    assert answer.status_code == 422 and words in answer.text
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0


def test_an_admin_registers_an_endpoint_and_sees_its_log(db, client, auth, receiver):
    auth.login_as("admin")
    token = auth.csrf_token("/admin/webhooks")
    answer = client.post(
        "/admin/webhooks",
        data={
            "csrf_token": token,
            "url": receiver.url,
            "event": ["ticket.opened", "audit.completed"],
        },
    )
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).text
    assert "whsec_" in page and "audit.completed" in page
