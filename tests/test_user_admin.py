"""An admin creates, edits and deactivates users."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.auth.models import User
from tests.factories import UserFactory


def _form(auth, path, **fields):
    return {"csrf_token": auth.csrf_token(path), **fields}


def test_admin_creates_a_leader_who_can_then_sign_in(client, auth, db):
    auth.login_as("admin")
    data = _form(
        auth,
        "/admin/users/new",
        email="Nora@Plant.Example",
        name="Nora Nakamura",
        role="leader",
        password="a-long-first-password",
        active="y",
    )
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nora@plant.example"))
    assert user.role == "leader" and user.check_password("a-long-first-password")
    auth.logout()
    assert auth.login("nora@plant.example", "a-long-first-password").status_code == 302


def test_duplicate_email_and_short_password_are_explained(client, auth):
    admin = auth.login_as("admin")
    data = _form(auth, "/admin/users/new", email=admin.email, name="X", role="member")
    data["password"] = "a-long-enough-password"
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert f"There is already an account for {admin.email}" in response.text
    data = _form(auth, "/admin/users/new", email="new@plant.example", name="X", role="member")
    data["password"] = "short"
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def test_admin_deactivates_a_user_who_then_cannot_sign_in(client, auth, db):
    auth.login_as("admin")
    member = UserFactory(role="member", name="Sam")
    path = f"/admin/users/{member.id}"
    response = client.post(path, data=_form(auth, path, name="Sam", role="member"))
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.active is False
    auth.logout()
    assert auth.login(member.email).status_code == 401


def test_the_last_admin_cannot_be_demoted(client, auth, db):
    admin = auth.login_as("admin")
    path = f"/admin/users/{admin.id}"
    data = _form(auth, path, name=admin.name, role="member", active="y")
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert "last active admin" in response.text
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_user_admin_write_without_csrf_is_refused(client, auth, db):
    auth.login_as("admin")
    member = UserFactory(role="member")
    response = client.post(f"/admin/users/{member.id}", data={"name": "Hacked", "role": "admin"})
    assert response.status_code == 400
    db.session.refresh(member)
    assert member.role == "member" and member.name != "Hacked"


def test_leader_cannot_post_to_user_administration(client, auth, db):
    auth.login_as("leader")
    member = UserFactory(role="member")
    path = f"/admin/users/{member.id}"
    response = client.post(path, data={"csrf_token": auth.csrf_token(), "role": "admin"})
    assert response.status_code == 403
    db.session.refresh(member)
    assert member.role == "member"


def test_unknown_user_page_is_a_404(client, auth):
    auth.login_as("admin")
    assert client.get("/admin/users/999999").status_code == 404
