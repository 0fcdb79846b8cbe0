"""Sessions that end: signing out, changing a password and "sign out on every
device" end the session and remember-me cookies on the server, so a copy of the old cookies
(a stolen phone's, a shared PC's) no longer signs anyone in."""

from __future__ import annotations

import pytest

from tests.conftest import AuthActions, csrf_token_from
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "gemba tulip forklift 42"


def cookies_of(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")}


def device_with(new_device, cookies: dict[str, str]):
    """Another browser that carries copies of these cookies (one or both)."""
    other = new_device()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def is_signed_in(client) -> bool:
    answer = client.get("/")
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


@pytest.fixture
def phone(new_device):
    """A member's phone, signed in with "keep me signed in"."""
    user = UserFactory(role="member")
    client = new_device()
    assert AuthActions(client).login(user.email, remember=True).status_code == 302
    client.user = user
    return client


@pytest.fixture
def admin(db):
    return UserFactory(role="admin")


def test_cookies_copied_before_sign_out_no_longer_sign_in(new_device, phone):
    copied = cookies_of(phone)
    assert is_signed_in(device_with(new_device, copied))  # a copy works while the session lives
    assert AuthActions(phone).logout().status_code == 302
    assert not is_signed_in(phone)
    assert not is_signed_in(device_with(new_device, copied))
    assert not is_signed_in(device_with(new_device, {"session": copied["session"]}))
    assert not is_signed_in(device_with(new_device, {"remember_token": copied["remember_token"]}))


def test_signing_out_on_one_device_leaves_the_others_signed_in(new_device, phone):
    pc = new_device()
    AuthActions(pc).login(phone.user.email)
    AuthActions(phone).logout()
    assert is_signed_in(pc)


def test_changing_the_password_signs_out_every_other_device(new_device, phone):
    pc = new_device()
    AuthActions(pc).login(phone.user.email)
    pc_before = cookies_of(pc)
    phone_cookies = cookies_of(phone)
    page = pc.get("/account")
    assert page.status_code == 200 and "Change password" in page.text
    answer = pc.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert answer.status_code == 302
    assert "Every other device is signed out" in pc.get("/account").text
    assert is_signed_in(pc)  # the device in hand stays in, on a new session
    assert not is_signed_in(phone)
    assert not is_signed_in(device_with(new_device, phone_cookies))
    assert not is_signed_in(
        device_with(new_device, {"remember_token": phone_cookies["remember_token"]})
    )
    assert not is_signed_in(device_with(new_device, pc_before))
    assert AuthActions(new_device()).login(phone.user.email, NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_changes_nothing(new_device, phone):
    page = phone.get("/account")
    answer = phone.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert answer.status_code == 422
    assert "Your current password is not right." in answer.text
    assert is_signed_in(phone)
    assert AuthActions(new_device()).login(phone.user.email).status_code == 302


def test_sign_out_on_every_device_ends_them_all(new_device, phone):
    pc = new_device()
    AuthActions(pc).login(phone.user.email, remember=True)
    copies = [cookies_of(phone), cookies_of(pc)]
    page = pc.get("/account")
    assert "signed in on 2 devices" in page.text
    answer = pc.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert not is_signed_in(pc)
    assert not is_signed_in(phone)
    for copied in copies:
        assert not is_signed_in(device_with(new_device, copied))
        assert not is_signed_in(
            device_with(new_device, {"remember_token": copied["remember_token"]})
        )


def test_an_admin_setting_a_new_password_signs_the_person_out_everywhere(new_device, admin, phone):
    copied = cookies_of(phone)
    admin_pc = new_device()
    assert AuthActions(admin_pc).login(admin.email).status_code == 302
    page = admin_pc.get(f"/admin/users/{phone.user.id}")
    answer = admin_pc.post(
        f"/admin/users/{phone.user.id}",
        data={
            "name": phone.user.name,
            "role": "member",
            "active": "y",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert answer.status_code == 302
    assert not is_signed_in(phone)
    assert not is_signed_in(device_with(new_device, copied))


def test_the_api_says_the_session_has_ended(new_device, phone):
    copied = cookies_of(phone)
    AuthActions(phone).logout()
    answer = device_with(new_device, copied).get("/api/v1/pack")
    assert answer.status_code == 401
    assert answer.json["error"]["message"] == "Your session has ended. Sign in again to continue."
