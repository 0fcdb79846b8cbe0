"""The real job consumer (`flask run-jobs`, its own process) on SQLite storage and on the Redis
of this machine: an event committed by the app reaches its people by mail once; a consumer
killed mid-job (SIGKILL while the SMTP server holds the mail) and started again sends it once."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs, queue
from gemba_walk.notify.models import Delivery
from tests.factories import AreaFactory, UserFactory
from tests.notify_servers import Consumer, SmtpServer

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def storage(request, tmp_path):
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("no Redis at 127.0.0.1:6379")
        # One Redis database for these tests, and a queue name of this run's own.
        return {
            "HUEY_STORAGE": "redis",
            "REDIS_URL": REDIS_URL,
            "HUEY_NAME": f"t{uuid.uuid4().hex}",
        }
    return {"HUEY_STORAGE": "sqlite", "HUEY_SQLITE_PATH": str(tmp_path / "huey.db")}


@pytest.fixture
def world(app, db, database_url, storage, tmp_path):
    """The app enqueueing into ``storage``, an SMTP server, and a consumer factory."""
    smtp = SmtpServer().start()
    app.config.update({**storage, **smtp.settings()})
    queue.configure(app)
    instance = tmp_path / "consumer-instance"
    instance.mkdir()
    # A claim left by a killed consumer is taken over after a second here (5 minutes by default).
    (instance / "config.py").write_text("NOTIFY_CLAIM_SECONDS = 1\n")
    consumers: list[Consumer] = []

    def consumer() -> Consumer:
        made = Consumer(
            database_url, instance, {**storage, **smtp.settings()}, tmp_path / "consumer.log"
        )
        consumers.append(made)
        return made.start()

    leader = UserFactory(role="leader", email="lia@plant.example")
    area = AreaFactory(owner=leader)
    reporter = UserFactory(role="member")
    db.session.commit()
    yield {"smtp": smtp, "consumer": consumer, "area": area, "reporter": reporter, "db": db}
    for made in consumers:
        made.stop()
    smtp.stop()
    if storage["HUEY_STORAGE"] == "redis":
        queue.huey.storage.flush_all()
    app.config.update(HUEY_STORAGE="memory")
    queue.configure(app)


def report(world, text):
    return report_problem(
        world["reporter"],
        area_id=world["area"].id,
        category="safety",
        severity="medium",
        description=text,
    ).ticket


def test_an_event_reaches_its_people_through_the_real_consumer_once(world):
    world["consumer"]()
    report(world, "Oil under press 3")
    mail = world["smtp"].mailbox.wait_for(1)[0]
    assert "Oil under press 3" in mail["Subject"]
    # A sweep after that finds nothing left to send.
    sweep = jobs.sweep_now.s()
    queue.huey.enqueue(sweep)
    assert result_value(sweep).get("sent", 0) == 0
    assert len(world["smtp"].mailbox.accepted) == 1


def result_value(task, timeout: float = 20):
    return queue.huey.result(task.id, blocking=True, timeout=timeout)


def test_a_consumer_killed_mid_job_and_restarted_sends_once(world):
    db, smtp = world["db"], world["smtp"]
    smtp.mailbox.hold = True
    first = world["consumer"]()
    report(world, "Guard missing on saw 2")
    assert smtp.mailbox.holding.wait(20), "the consumer never started sending"
    first.kill()
    smtp.mailbox.release()  # the held mail is answered 451 to nobody: not delivered
    db.session.rollback()
    delivery = db.session.scalar(sa.select(Delivery).where(Delivery.channel == "email"))
    assert delivery.status == "sending", "the killed job left its claim"

    world["consumer"]()
    sweep = jobs.sweep_now.s()
    queue.huey.enqueue(sweep)
    result_value(sweep)  # this sweep, or the consumer's own minute sweep, takes the claim over
    mail = smtp.mailbox.wait_for(1)[0]
    assert "Guard missing" in mail["Subject"]
    again = jobs.sweep_now.s()
    queue.huey.enqueue(again)
    result_value(again)
    assert len(smtp.mailbox.accepted) == 1
    db.session.rollback()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_hostile_subscription_a_slow_and_a_huge_receiver_delay_nobody_else(world, app, tmp_path):
    """Through the real consumer: a push subscription whose key
    is no P-256 point (stored before keys were checked), a webhook receiver that answers one
    byte a second and one that answers 600 MB. The mail, the other device's push and the
    healthy webhook still arrive within seconds; the bad subscription is removed."""
    import base64
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from gemba_walk.notify import webhooks
    from gemba_walk.notify.models import PushSubscription
    from tests.notify_servers import HookServer

    db = world["db"]
    allowances = {  # the test-only loopback allowance, and a short deadline for the slow one
        "TESTING": True,
        "TEST_ALLOW_LOOPBACK_RECEIVERS": True,
        "WEBHOOK_ALLOW_INSECURE": True,
        "PUSH_ALLOW_HTTP_ENDPOINTS": True,
        "EGRESS_DEADLINE_SECONDS": 2,
    }
    app.config.update(allowances)
    config = tmp_path / "consumer-instance" / "config.py"
    config.write_text(
        config.read_text() + "".join(f"{key} = {value!r}\n" for key, value in allowances.items())
    )
    servers = {
        name: HookServer(mode, interval=1.0, drip=30)
        for name, mode in (("slow", "slow"), ("huge", "huge"), ("healthy", "ok"), ("phone", "ok"))
    }
    try:
        leader = world["area"].owner
        admin = UserFactory(role="admin")
        db.session.commit()
        for name in ("slow", "huge", "healthy"):
            webhooks.register_endpoint(admin, servers[name].url(f"/{name}"), ["ticket.opened"])

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        good_key = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        )
        auth = b64(b"0123456789abcdef")
        for path, key in (("/push/hostile", b"\x04" + bytes(64)), ("/push/phone", good_key)):
            db.session.add(
                PushSubscription(
                    user_id=leader.id,
                    endpoint=servers["phone"].url(path),
                    p256dh=b64(key),
                    auth=auth,
                )
            )
        db.session.commit()

        world["consumer"]()
        reported = time.monotonic()
        report(world, "Oil under press 3")
        mail = world["smtp"].mailbox.wait_for(1, timeout=15)[0]
        mail_after = time.monotonic() - reported
        [(_path, _headers, body, hook_at)] = servers["healthy"].wait_for(1, timeout=15)
        [(push_path, *_rest, push_at)] = servers["phone"].wait_for(1, timeout=15)
        assert "Oil under press 3" in mail["Subject"] and b"Oil under press 3" in body
        assert push_path == "/push/phone"
        late = max(mail_after, hook_at - reported, push_at - reported)
        assert late < 8, f"the last of them came {late:.1f} s after the report"
        servers["slow"].wait_for(1)
        servers["huge"].wait_for(1)
        assert servers["huge"].written < 50 * 1024 * 1024
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.rollback()
            left = db.session.scalars(sa.select(PushSubscription.endpoint)).all()
            if len(left) == 1:
                break
            time.sleep(0.1)
        assert [url.rsplit("/", 1)[1] for url in left] == ["phone"]
        assert servers["slow"].written < 10, "the slow answer was cut at the deadline"
    finally:
        for server in servers.values():
            server.stop()
