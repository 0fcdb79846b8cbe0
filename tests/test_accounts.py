"""Signing in and out, and who may open what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.auth.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory


def test_member_signs_in_and_lands_on_home(client, auth):
    user = UserFactory(name="Mia Member", role="member")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Good to see you, Mia" in home.text


def test_email_is_not_case_sensitive(auth):
    user = UserFactory(email="casey@plant.example")
    assert auth.login("  Casey@Plant.Example ").status_code == 302
    assert user.last_login_at is not None


@pytest.mark.parametrize("email, password", [("known", "wrong-password"), ("nobody@x.io", "x")])
def test_wrong_password_or_unknown_user_gets_one_clear_401(auth, email, password):
    user = UserFactory()
    response = auth.login(user.email if email == "known" else email, password)
    assert response.status_code == 401
    assert "Email, username or password is incorrect." in response.text


def test_deactivated_user_cannot_sign_in(auth):
    user = UserFactory(active=False)
    assert auth.login(user.email).status_code == 401


def test_sign_in_without_csrf_token_is_refused_with_400(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "security token was missing" in response.text
    assert client.get("/").status_code == 302  # still signed out


def test_empty_sign_in_form_says_what_is_missing(client, auth):
    response = client.post("/login", data={"csrf_token": auth.csrf_token("/login")})
    assert response.status_code == 400
    assert "Enter your email address or username." in response.text
    assert "Enter your password." in response.text


def test_remember_me_keeps_a_phone_signed_in(client, auth):
    user = UserFactory()
    auth.login(user.email, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert cookie.expires is not None


def test_sign_out_needs_a_post_with_csrf(client, auth):
    user = UserFactory()
    auth.login(user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_never_redirects_off_site(client, auth):
    user = UserFactory()
    page = client.get("/login?next=https://evil.example/")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_anonymous_page_visit_is_sent_to_sign_in_and_back(client):
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users/")


def test_anonymous_api_call_gets_json_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert "Sign in again" in response.json["error"]["message"]


def test_me_returns_user_and_fresh_csrf_token(client, auth):
    user = auth.login_as("leader")
    body = client.get("/api/v1/me").json
    assert body["user"] == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": "leader",
        "theme": "auto",  # Account → Display, for the capture shell
        "large_text": False,
    }
    assert len(body["csrf_token"]) > 20


@pytest.mark.parametrize("role, status", [("admin", 200), ("leader", 403), ("member", 403)])
@pytest.mark.parametrize("path", ["/admin/users/", "/admin/users/new"])
def test_only_admins_open_user_administration(client, auth, role, status, path):
    auth.login_as(role)
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "Your role does not allow this" in response.text


def test_passwords_are_stored_hashed(auth, db):
    auth.login_as("member")
    stored = db.session.scalar(sa.select(User.password_hash))
    assert DEFAULT_PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_is_rate_limited(make_app):
    from tests.conftest import AuthActions

    limited = make_app(RATELIMIT_ENABLED=True)
    user = UserFactory()
    auth = AuthActions(limited.test_client())
    # Eleven guesses from one address, each at another account (so no account locks first).
    statuses = [auth.login(f"guess{n}@plant.example", "wrong-pass").status_code for n in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in auth.login(user.email).text
