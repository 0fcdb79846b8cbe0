"""What the server fetches for a stranger: one egress policy for
webhooks and Web Push. An admin's webhook address and a member's push endpoint are refused when
they lead anywhere but a public address, however the address is spelled; the address checked is
the one connected to (a name that answers a public address at registration and 127.0.0.1 at
delivery is refused at delivery); a receiver that answers slowly or without end holds a job for
the deadline at most; paused or turned-off webhooks send nothing more; a bad push subscription is
refused, and one that slipped in is removed without stopping anything else.

Names are answered by a resolver the test sets (EGRESS_RESOLVER), as DNS would answer them."""

from __future__ import annotations

import base64
import html
import logging
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gemba_walk.core.ids import utcnow
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs, webhooks
from gemba_walk.notify.models import PushSubscription, WebhookDelivery, WebhookEndpoint
from tests.factories import AreaFactory, UserFactory
from tests.notify_servers import HookServer

PUBLIC = "93.184.215.14"
NAMES = {
    "hooks.example.com": [PUBLIC],
    "v6.example.com": ["2606:4700:4700::1111"],
    "metadata.example.com": ["100.100.100.200"],
    "nat64.example.com": ["64:ff9b::7f00:1"],
    "mixed.example.com": [PUBLIC, "10.0.0.7"],
    "fcm.googleapis.com": ["142.250.74.42"],
}


class Dns:
    """Answers from a table, counting the questions; ``rebind`` changes the answers later."""

    def __init__(self, table: dict[str, list[str]]):
        self.table = dict(table)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"no such host {host}")
        return self.table[host]


@pytest.fixture
def dns(app):
    made = Dns(NAMES)
    app.config["EGRESS_RESOLVER"] = made
    app.config["TEST_ALLOW_LOOPBACK_RECEIVERS"] = False  # the policy as in production
    return made


@pytest.fixture
def plant(db):
    admin = UserFactory(role="admin")
    leader = UserFactory(role="leader")
    area = AreaFactory(owner=leader, code="EG-1")
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


REFUSED = [
    # IPv4 spelled every way a resolver accepts
    ("https://127.0.0.1/", "special use"),
    ("https://127.1/", "not a usual way"),
    ("https://2130706433/", "not a usual way"),
    ("https://0x7f000001/", "not a usual way"),
    ("https://0177.0.0.1/", "not a usual way"),
    ("https://0x7f.0.0.1/", "not a usual way"),
    ("https://127.0.0.1./", "special use"),
    ("https://0.0.0.0/", "special use"),
    ("https://0/", "not a usual way"),
    ("https://10.1.2.3/", "special use"),
    ("https://172.16.0.9/", "special use"),
    ("https://192.168.1.1/", "special use"),
    ("https://100.64.0.1/", "special use"),
    ("https://100.100.100.200/latest/meta-data", "special use"),
    ("https://169.254.169.254/latest/meta-data", "special use"),
    ("https://224.0.0.1/", "special use"),
    ("https://239.255.255.250/", "special use"),
    ("https://255.255.255.255/", "special use"),
    ("https://240.0.0.1/", "special use"),
    ("https://192.0.2.10/", "special use"),
    ("https://198.51.100.7/", "special use"),
    ("https://203.0.113.7/", "special use"),
    ("https://198.18.0.1/", "special use"),
    ("https://192.0.0.170/", "special use"),
    ("https://192.88.99.1/", "special use"),
    # IPv6 forms
    ("https://[::1]/", "special use"),
    ("https://[0:0:0:0:0:0:0:1]/", "special use"),
    ("https://[::]/", "special use"),
    ("https://[::127.0.0.1]/", "special use"),
    ("https://[::ffff:127.0.0.1]/", "special use"),
    ("https://[::ffff:7f00:1]/", "special use"),
    ("https://[::ffff:169.254.169.254]/", "special use"),
    ("https://[64:ff9b::7f00:1]/", "special use"),
    ("https://[64:ff9b::a9fe:a9fe]/", "special use"),
    ("https://[2002:7f00:1::]/", "special use"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "special use"),
    ("https://[2001:db8::1]/", "special use"),
    ("https://[fe80::1]/", "special use"),
    ("https://[fe80::1%25eth0]/", "special use"),
    ("https://[fc00::1]/", "special use"),
    ("https://[fd12:3456::1]/", "special use"),
    ("https://[ff02::1]/", "special use"),
    ("https://[100::1]/", "special use"),
    ("https://[3fff::1]/", "special use"),
    # Names that resolve to what is refused (the whole answer is checked)
    ("https://metadata.example.com/", "special use"),
    ("https://nat64.example.com/", "special use"),
    ("https://mixed.example.com/", "special use"),
    ("https://nowhere.example.com/", "cannot be found"),
    ("https://localhost/", "cannot point at this server"),
    ("https://gemba.test/api", "cannot point at this server"),
    # Spelling, ports, user info (these once answered 500)
    ("https://example.com:abc/", "cannot be read"),
    ("https://[::1/", "cannot be read"),
    ("https://::1/", "cannot be read"),
    ("https://2001:db8::1/hook", "cannot be read"),
    ("https://hooks.example.com:99999/", "cannot be read"),
    ("https://hooks.example.com:22/", "Port 22 is not allowed"),
    ("https://hooks.example.com:80/", "Port 80 is not allowed"),
    ("https://hooks.example.com:6379/", "Port 6379 is not allowed"),
    ("https://user:pw@hooks.example.com/", "no user name"),
    ("https://hooks.example.com@127.0.0.1/", "no user name"),
    ("https://@hooks.example.com/", "no user name"),
    ("http://hooks.example.com/", "must start with https://"),
    ("gopher://hooks.example.com/", "must start with https://"),
    ("file:///etc/passwd", "must start with https://"),
    ("https:///hook", "names no host"),
    ("https://hooks.example.com /x", "spaces"),
    ("https://hooks.example.com\\@127.0.0.1/", "backslashes"),
    ("https://hooks.exa\tmple.com/", "control characters"),
]
ACCEPTED = [
    "https://hooks.example.com/gemba",
    "https://HOOKS.example.com./gemba?x=1",
    "https://hooks.example.com:8443/gemba",
    "https://93.184.215.14/gemba",
    "https://[2606:4700:4700::1111]/gemba",
    "https://v6.example.com/gemba",
]


def register(client, auth, url):
    token = auth.csrf_token("/admin/webhooks")
    return client.post(
        "/admin/webhooks", data={"csrf_token": token, "url": url, "event": "ticket.opened"}
    )


def test_every_spelling_of_a_forbidden_address_is_refused_and_public_ones_pass(
    db, client, auth, dns
):
    assert len(REFUSED) >= 40
    auth.login_as("admin")
    wrong = []
    for url, words in REFUSED:
        answer = register(client, auth, url)
        text = html.unescape(answer.text)
        if answer.status_code != 422 or words not in text:
            wrong.append((url, answer.status_code, words))
    assert wrong == []
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0
    for url in ACCEPTED:
        assert register(client, auth, url).status_code == 302, url
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == len(ACCEPTED)


def test_a_name_that_answers_127_0_0_1_at_delivery_is_refused_then(app, db, dns, plant):
    """DNS rebinding: public at registration, this machine at delivery: nothing is sent."""
    inside = HookServer()
    app.config["EGRESS_EXTRA_PORTS"] = [inside.port]
    try:
        endpoint = webhooks.register_endpoint(
            plant["admin"], f"https://hooks.example.com:{inside.port}/gemba", ["ticket.opened"]
        )
        dns.table["hooks.example.com"] = ["127.0.0.1"]
        dns.asked.clear()
        report(plant)
        jobs.run_pending()
        delivery = db.session.scalar(sa.select(WebhookDelivery))
        assert inside.requests == []
        assert delivery.status == "pending" and delivery.response_status is None
        assert "refused" in delivery.last_error and "127.0.0.1" in delivery.last_error
        assert dns.asked == ["hooks.example.com"], "one lookup, and that answer checked"
        db.session.refresh(endpoint)
        assert endpoint.consecutive_failures == 1
    finally:
        inside.stop()


def test_the_request_goes_to_the_address_checked_with_the_name_kept(app, db, dns, plant):
    """Resolve once, check, connect to that address: the receiver sees the original name."""
    receiver = HookServer()
    app.config["TEST_ALLOW_LOOPBACK_RECEIVERS"] = True
    app.config["WEBHOOK_ALLOW_INSECURE"] = True
    app.config["EGRESS_EXTRA_PORTS"] = [receiver.port]
    dns.table["hooks.example.com"] = ["127.0.0.1"]
    try:
        webhooks.register_endpoint(
            plant["admin"], f"http://hooks.example.com:{receiver.port}/gemba", ["ticket.opened"]
        )
        dns.asked.clear()
        report(plant)
        jobs.run_pending()
        [(path, headers, body, _at)] = receiver.wait_for(1)
        assert path == "/gemba" and headers["host"] == f"hooks.example.com:{receiver.port}"
        assert b"Oil under press 3" in body
        assert dns.asked == ["hooks.example.com"]
    finally:
        receiver.stop()


@pytest.fixture
def loopback_hooks(app, plant):
    app.config["WEBHOOK_ALLOW_INSECURE"] = True
    made: list[HookServer] = []

    def hook(mode="ok", **how) -> tuple[HookServer, WebhookEndpoint]:
        server = HookServer(mode, **how)
        made.append(server)
        endpoint = webhooks.register_endpoint(plant["admin"], server.url(), ["ticket.opened"])
        return server, endpoint

    yield hook
    for server in made:
        server.stop()


def test_a_slow_receiver_holds_a_delivery_for_the_deadline_only(app, db, plant, loopback_hooks):
    """One byte a second, 30 in all: the whole request ends at the deadline (2 s), not per read."""
    app.config["EGRESS_DEADLINE_SECONDS"] = 2
    slow, _endpoint = loopback_hooks("slow", interval=1.0, drip=30)
    report(plant)
    started = time.monotonic()
    jobs.run_pending()
    took = time.monotonic() - started
    assert len(slow.requests) == 1
    assert took < 5, f"the sweep took {took:.1f} s"
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert delivery.status == "pending" and "within 2 s" in delivery.last_error


def test_a_huge_answer_is_read_up_to_the_cap_only(app, db, plant, loopback_hooks):
    """600 MB offered: the server reads its cap (64 KiB by default) and hangs up."""
    huge, _endpoint = loopback_hooks("huge")
    report(plant)
    started = time.monotonic()
    jobs.run_pending()
    took = time.monotonic() - started
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert (delivery.status, delivery.response_status) == ("sent", 200)
    assert len(delivery.response_body) <= 2002
    assert huge.written < 50 * 1024 * 1024, f"{huge.written} bytes were taken"
    assert took < 5


def test_a_paused_webhook_sends_nothing_more_of_what_was_queued(
    app, db, plant, loopback_hooks, client, auth
):
    """A paused address gets nothing more; ~3,600 deliveries once kept going to one."""
    app.config["WEBHOOK_PAUSE_AFTER"] = 3
    dead, endpoint = loopback_hooks("status", status=503)
    for number in range(12):
        report(plant, f"Leak number {number}")
    jobs.run_pending()
    assert len(dead.requests) == 3, "paused after 3 failures in a row: the other 9 never go"
    rows = db.session.execute(
        sa.select(WebhookDelivery.status, WebhookDelivery.last_error, WebhookDelivery.attempts)
    ).all()
    assert {(status, error) for status, error, _tries in rows} == {
        ("failed", "dropped: the webhook was paused")
    }
    assert sorted(tries for *_rest, tries in rows) == [0] * 9 + [1] * 3
    jobs.run_pending(utcnow() + timedelta(hours=2))
    assert len(dead.requests) == 3


def test_a_webhook_turned_off_drops_its_queued_deliveries(
    app, db, plant, loopback_hooks, client, auth
):
    receiver, endpoint = loopback_hooks("status", status=503)
    for number in range(3):
        report(plant, f"Leak number {number}")
    jobs.run_pending()  # each tried once, to be tried again in 30 s
    assert len(receiver.requests) == 3
    auth.login(plant["admin"].email)
    token = auth.csrf_token(f"/admin/webhooks/{endpoint.id}")
    answer = client.post(f"/admin/webhooks/{endpoint.id}/toggle", data={"csrf_token": token})
    assert answer.status_code == 302
    receiver.mode = "ok"
    jobs.run_pending(utcnow() + timedelta(hours=1))
    assert len(receiver.requests) == 3, "nothing more after it was turned off"
    rows = db.session.execute(sa.select(WebhookDelivery.status, WebhookDelivery.last_error)).all()
    assert [tuple(row) for row in rows] == [("failed", "dropped: the webhook was turned off")] * 3


# --- Web Push -----------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def device_keys() -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": b64(public), "auth": b64(b"0123456789abcdef")}


def subscribe(client, auth, user, endpoint, keys=None, sign_in=True):
    if sign_in:
        auth.login(user.email)
    return client.post(
        "/notifications/push/subscriptions",
        json={"endpoint": endpoint, "keys": keys or device_keys()},
        headers={"X-CSRFToken": auth.csrf_token()},
    )


def test_an_endpoint_belongs_to_one_person_and_is_never_moved(db, client, auth, plant):
    """Posting someone else's endpoint once moved it to the poster with new keys."""
    endpoint = "https://fcm.googleapis.com/fcm/send/leader-phone"
    keys = device_keys()
    assert subscribe(client, auth, plant["leader"], endpoint, keys).status_code == 201
    auth.logout()
    taken = subscribe(client, auth, plant["reporter"], endpoint)
    assert taken.status_code == 409
    assert "belongs to another person" in html.unescape(taken.text)
    sub = db.session.scalar(sa.select(PushSubscription))
    assert (sub.user_id, sub.p256dh) == (plant["leader"].id, keys["p256dh"])
    auth.logout()
    again = subscribe(client, auth, plant["leader"], endpoint)  # the same person: new keys kept
    assert again.status_code == 201


def test_a_person_keeps_ten_subscriptions_the_oldest_dropped(db, client, auth, plant):
    """One user once registered 300 and notifications for everyone fell behind."""
    auth.login(plant["leader"].email)
    for number in range(12):
        url = f"https://fcm.googleapis.com/fcm/send/device-{number}"
        assert subscribe(client, auth, plant["leader"], url, sign_in=False).status_code == 201
    kept = db.session.scalars(sa.select(PushSubscription.endpoint).order_by(PushSubscription.id))
    assert [url.rsplit("-", 1)[1] for url in kept] == [str(n) for n in range(2, 12)]


def test_a_push_endpoint_that_rebinds_to_this_machine_is_removed_not_fetched(
    app, db, client, auth, dns, plant
):
    inside = HookServer()
    app.config["EGRESS_EXTRA_PORTS"] = [inside.port]
    try:
        endpoint = f"https://fcm.googleapis.com:{inside.port}/fcm/send/dev-1"
        assert subscribe(client, auth, plant["leader"], endpoint).status_code == 201
        dns.table["fcm.googleapis.com"] = ["127.0.0.1"]
        report(plant)
        jobs.run_pending()
        assert inside.requests == []
        assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0
    finally:
        inside.stop()


def test_a_hostile_subscription_is_removed_and_the_rest_still_goes(
    app, db, client, auth, plant, loopback_hooks, caplog
):
    """A subscription stored before keys were checked (0x04 + 64 zero bytes): the push to it
    fails for good, it is removed; the person's other device, the webhook and the rest of the
    sweep still go, and the logs name the push service's host, never the endpoint's path."""
    phone = HookServer()
    receiver, _endpoint = loopback_hooks()
    try:
        good = phone.url("/push/secret-capability-good")
        assert subscribe(client, auth, plant["leader"], good).status_code == 201
        db.session.add(
            PushSubscription(
                user_id=plant["leader"].id,
                endpoint=phone.url("/push/secret-capability-hostile"),
                p256dh=b64(b"\x04" + bytes(64)),
                auth=b64(b"0123456789abcdef"),
            )
        )
        db.session.commit()
        caplog.set_level(logging.WARNING)
        report(plant)
        outcome = jobs.run_pending()
        assert outcome.get("sent", 0) >= 1 and not any("failed" in key for key in outcome)
        assert [path for path, *_ in phone.requests] == ["/push/secret-capability-good"] * len(
            phone.requests
        )
        assert len(receiver.requests) == 1
        left = db.session.scalars(sa.select(PushSubscription.endpoint)).all()
        assert left == [good]
        assert "secret-capability" not in caplog.text
        assert "127.0.0.1" in caplog.text
    finally:
        phone.stop()


def _tls_receiver(tmp_path, name: str):
    """An HTTPS receiver on loopback with a certificate for ``name`` signed by a CA of the
    test's own; it records the name each client asked for (SNI)."""
    import datetime as dt
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    seen: dict[str, list] = {"sni": [], "posts": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen["posts"].append(self.headers["Host"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, server_name, ctx: seen["sni"].append(server_name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert_file, seen


def test_tls_to_the_checked_address_still_names_and_verifies_the_host(
    app, db, dns, plant, tmp_path, monkeypatch
):
    """Connected to the address checked, TLS still sends the name (SNI) and checks the
    certificate against it: the right name is delivered, another name on that address fails."""
    server, ca_file, seen = _tls_receiver(tmp_path, "hooks.example.com")
    port = server.server_address[1]
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # trust the test's own CA
    app.config["TEST_ALLOW_LOOPBACK_RECEIVERS"] = True
    app.config["EGRESS_EXTRA_PORTS"] = [port]
    dns.table["hooks.example.com"] = ["127.0.0.1"]
    dns.table["impostor.example.com"] = ["127.0.0.1"]
    try:
        for host in ("hooks.example.com", "impostor.example.com"):
            webhooks.register_endpoint(
                plant["admin"], f"https://{host}:{port}/gemba", ["ticket.opened"]
            )
        report(plant)
        jobs.run_pending()
        rows = dict(
            db.session.execute(
                sa.select(WebhookEndpoint.url, WebhookDelivery.status).join(WebhookEndpoint)
            ).all()
        )
        assert rows[f"https://hooks.example.com:{port}/gemba"] == "sent"
        assert rows[f"https://impostor.example.com:{port}/gemba"] == "pending"
        failure = db.session.scalar(
            sa.select(WebhookDelivery.last_error).where(WebhookDelivery.status == "pending")
        )
        assert "certificate" in failure.lower() or "hostname" in failure.lower()
        assert sorted(seen["sni"]) == ["hooks.example.com", "impostor.example.com"]
        assert seen["posts"] == [f"hooks.example.com:{port}"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_delivery_left_by_dead_jobs_after_its_last_try_is_given_up(app, db, client, auth, plant):
    """A push that crashed its job was once claimed again every 5 minutes without
    limit, and the phone got the same push each time."""
    from gemba_walk.notify.models import Delivery, NotifyEvent

    phone = HookServer()
    try:
        assert subscribe(client, auth, plant["leader"], phone.url("/push/1")).status_code == 201
        report(plant)
        first = db.session.scalar(sa.select(sa.func.min(NotifyEvent.id)))
        jobs.fan_out_event(first)
        push = db.session.scalar(
            sa.select(Delivery).where(Delivery.channel == "push", Delivery.event_id == first)
        )
        push.status, push.claim, push.attempts = "sending", "dead-job", jobs.MAX_ATTEMPTS
        push.claimed_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        jobs.run_pending()
        db.session.refresh(push)
        assert (push.status, push.attempts) == ("failed", jobs.MAX_ATTEMPTS)
        assert "gave up" in push.last_error
        sent = db.session.scalar(
            sa.select(sa.func.count(Delivery.id)).where(
                Delivery.channel == "push", Delivery.status == "sent"
            )
        )
        assert len(phone.requests) == sent, "the other events' pushes only, not this one again"
    finally:
        phone.stop()


def test_an_admin_adds_a_push_service_the_list_does_not_know(app, db, client, auth, plant):
    endpoint = "https://push.plant.example/device/1"
    refused = subscribe(client, auth, plant["leader"], endpoint)
    assert refused.status_code == 422 and "not a known push service" in refused.text
    app.config["PUSH_EXTRA_SERVICE_HOSTS"] = ["push.plant.example"]
    assert subscribe(client, auth, plant["leader"], endpoint, sign_in=False).status_code == 201
