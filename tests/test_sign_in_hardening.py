"""Sign-in that leaks nothing and holds under several processes.

- the same work for a known and an unknown email (no timing tells which has an account);
- wrong passwords counted per address in the database: five in a row and it waits, on every
  worker and server alike, with a message that says what to do;
- the per-address limit shared by all workers through Redis when configured;
- client addresses taken from the proxy's X-Forwarded-For only when TRUSTED_PROXIES says so;
- common and easily guessed passwords refused with advice.
"""

from __future__ import annotations

import re
import statistics
import time
import urllib.parse
import uuid
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from gemba_walk.auth.models import SignInThrottle
from tests.conftest import AuthActions, csrf_token_from
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live_http import LiveClient

REDIS_URL = "redis://127.0.0.1:6379/5"


# --- timing -----------------------------------------------------------------------------------


def test_an_unknown_email_takes_as_long_to_refuse_as_a_known_one(client, auth):
    user = UserFactory()
    auth.login("warm-up@plant.example", "wrong-pass")  # first hash of the dummy is made here

    def seconds(email: str) -> float:
        start = time.perf_counter()
        assert auth.login(email, "wrong-password").status_code == 401
        return time.perf_counter() - start

    known, unknown = [], []
    for n in range(4):  # four wrong passwords: one short of the lockout
        known.append(seconds(user.email))
        unknown.append(seconds(f"nobody{n}@plant.example"))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    print(f"known {known_median * 1000:.0f} ms, unknown {unknown_median * 1000:.0f} ms")
    assert 0.6 < unknown_median / known_median < 1.6


# --- failed attempts counted per account, across workers ----------------------------------------


def test_five_wrong_passwords_make_the_account_wait_on_every_worker(app, make_live_server):
    """Two gunicorn workers: the count lives in the database, so it does not matter which
    worker answers each attempt (with per-worker counting, the 6th could land on a fresh one)."""
    user = UserFactory()
    server = make_live_server(workers=2)
    statuses = []
    for _ in range(8):
        device = LiveClient(server)  # a new connection each time: both workers take turns
        statuses.append(device.sign_in(user.email, "wrong-password").status)
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    refused = LiveClient(server).sign_in(user.email, DEFAULT_PASSWORD)  # even the right one
    assert refused.status == 429
    assert "Too many wrong passwords for this email or username. Wait 1 minute" in refused.text
    assert "ask an admin to set a new password" in refused.text


# --- a lockout nobody can aim at someone else ---------------------------------------------------


def _sign_in_from(server: str, address: str, email: str, password: str):
    """A sign-in through the real form from a phone behind the plant's proxy at ``address``."""
    device = LiveClient(server)
    token = csrf_token_from(device.get("/login").text)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": address,
    }
    return device.request("POST", "/login", body.encode(), headers)


def test_guesses_from_one_address_never_lock_the_owner_out_at_another(app, make_live_server):
    """Five wrong guesses used to lock the account for everyone for 10 minutes; now only the
    guessing address waits, and the owner at their own phone signs in."""
    user = UserFactory()
    server = make_live_server(workers=2, env={"TRUSTED_PROXIES": "1"})
    attacker = [_sign_in_from(server, "203.0.113.66", user.email, "guess") for _ in range(8)]
    assert [answer.status for answer in attacker] == [401] * 5 + [429] * 3
    assert "Too many wrong passwords for this email or username. Wait 1 minute" in (
        attacker[-1].text
    )
    owner = _sign_in_from(server, "198.51.100.7", user.email, DEFAULT_PASSWORD)
    assert owner.status == 302, owner.text


def test_each_further_wrong_guess_from_one_address_doubles_its_wait(app, db, make_app):
    """The person is told how long: 1 minute after the fifth wrong password, then 2, 4, 8."""
    user = UserFactory()
    guessing = make_app().test_client()
    guessing.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    auth = AuthActions(guessing)
    for _ in range(5):
        assert auth.login(user.email, "guess").status_code == 401
    waits = []
    for _ in range(4):
        answer = auth.login(user.email, "guess")
        assert answer.status_code == 429
        waits.append(re.search(r"Wait (\d+) minute", answer.text).group(1))
        db.session.rollback()
        for row in db.session.scalars(sa.select(SignInThrottle)):
            row.last_failure_at -= timedelta(hours=2)  # the wait is over: one more guess
        db.session.commit()
        assert auth.login(user.email, "guess").status_code == 401
    assert waits == ["1", "2", "4", "8"]


def test_many_addresses_together_meet_a_looser_short_ceiling(app, db, make_app):
    """A crowd of addresses guessing one name: past the ceiling everyone waits a little."""
    user = UserFactory()
    crowd = make_app(SIGN_IN_ACCOUNT_CEILING=12)
    for n in range(12):
        client = crowd.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        assert AuthActions(client).login(user.email, "guess").status_code == 401
    owner = crowd.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    answer = AuthActions(owner).login(user.email)
    assert answer.status_code == 429
    assert "Wait 2 minutes" in answer.text


def test_after_the_cool_down_the_right_password_signs_in_and_clears_the_count(app, db, auth):
    user = UserFactory()
    for _ in range(5):
        auth.login(user.email, "wrong-password")
    assert auth.login(user.email).status_code == 429
    row = db.session.scalar(sa.select(SignInThrottle))
    row.last_failure_at -= timedelta(minutes=10)  # ten minutes pass
    db.session.commit()
    assert auth.login(user.email).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInThrottle)) == 0


def test_an_unknown_email_is_locked_the_same_way(auth):
    """Otherwise the lockout message itself would say which addresses have accounts."""
    for _ in range(5):
        assert auth.login("nobody@plant.example", "wrong-password").status_code == 401
    answer = auth.login("Nobody@Plant.example", "wrong-password")
    assert answer.status_code == 429
    assert "Too many wrong passwords for this email or username" in answer.text


def test_an_admin_setting_a_new_password_lifts_the_lockout(new_device, db):
    admin, user = UserFactory(role="admin"), UserFactory()
    person = AuthActions(new_device())
    for _ in range(5):
        person.login(user.email, "wrong-password")
    admin_pc = new_device()
    AuthActions(admin_pc).login(admin.email)
    page = admin_pc.get(f"/admin/users/{user.id}")
    form = {"name": user.name, "role": "member", "active": "y", "password": "gemba tulip forklift"}
    answer = admin_pc.post(
        f"/admin/users/{user.id}", data={**form, "csrf_token": csrf_token_from(page.text)}
    )
    assert answer.status_code == 302
    assert person.login(user.email, "gemba tulip forklift").status_code == 302


# --- per-address limits in Redis, proxy-aware addresses ------------------------------------------


@pytest.fixture
def redis_prefix():
    prefix = f"gemba_test_{uuid.uuid4().hex[:8]}"
    yield prefix
    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter(f"*{prefix}*"))
    if keys:
        store.delete(*keys)
    store.close()


def test_the_per_address_limit_is_shared_by_all_workers_through_redis(
    app, make_live_server, redis_prefix
):
    server = make_live_server(
        workers=2,
        env={
            "RATELIMIT_ENABLED": "1",
            "REDIS_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": redis_prefix,
        },
    )
    statuses = [
        LiveClient(server).sign_in(f"guess{n}@plant.example", "wrong-pass").status
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    store = redis.Redis.from_url(REDIS_URL)
    assert list(store.scan_iter(f"*{redis_prefix}*")), "no rate-limit counter in Redis"
    store.close()


def _guesses(client, forwarded_for: str | None, count: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    auth = AuthActions(client)
    token = auth.csrf_token("/login")
    return [
        client.post(
            "/login",
            data={"email": f"guess{n}@x.example", "password": "wrong", "csrf_token": token},
            headers=headers,
        ).status_code
        for n in range(count)
    ]


def test_behind_a_trusted_proxy_each_person_has_their_own_limit(make_app):
    """Behind the recommended reverse proxy every request comes from the proxy's address;
    with TRUSTED_PROXIES=1 the limit counts the address the proxy saw."""
    behind_proxy = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = behind_proxy.test_client()
    assert _guesses(client, "203.0.113.5", 11)[-1] == 429
    assert _guesses(client, "203.0.113.6", 1) == [401]  # a colleague is not held up


def test_without_trusted_proxies_a_forged_address_does_not_reset_the_limit(make_app):
    direct = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=0)
    client = direct.test_client()
    statuses = [_guesses(client, f"198.51.100.{n}", 1)[0] for n in range(11)]
    assert statuses[-1] == 429


# --- passwords that are hard to guess ---------------------------------------------------------


@pytest.mark.parametrize(
    "password, words",
    [
        ("password12", "too easy to guess: it is one of the most common passwords"),
        ("Summer2024!", "too easy to guess. This is similar to a commonly used password."),
        ("kaizen2026", "too easy to guess"),
    ],
)
def test_an_admin_cannot_give_a_guessable_password(client, auth, db, password, words):
    auth.login_as("admin")
    page = client.get("/admin/users/new")
    answer = client.post(
        "/admin/users/new",
        data={
            "email": "new@plant.example",
            "name": "New Person",
            "role": "member",
            "password": password,
            "active": "y",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert answer.status_code == 422
    assert words in answer.text
    assert "Three or four unrelated words make a strong one." in answer.text


def test_a_person_cannot_change_to_a_guessable_password(client, auth):
    auth.login_as("member")
    page = client.get("/account")
    answer = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "password12",
            "confirm": "password12",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert answer.status_code == 422
    assert "This password is too easy to guess: it is one of the most common" in answer.text


def test_the_command_line_refuses_a_guessable_password(runner):
    result = runner.invoke(
        args=["user", "create", "--email", "x@plant.example", "--password", "password12"]
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
