"""Operators without e-mail: an account signs in with a username or an e-mail, the
e-mail is optional, no sign-in name can mean two people, failed sign-ins are counted per
account whichever name is typed, and "switch person" hands a shared tablet to the next one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.auth.models import SignInThrottle, User
from gemba_walk.auth.operations import (
    SignInNameError,
    authenticate,
    create_user,
    update_user,
)
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, UserFactory

STRONG = "copper kettle harbour lantern"


def test_an_operator_without_email_signs_in_with_the_username(app, client, auth):
    operator = create_user(None, "Kenji Tanaka", "member", STRONG, username="k.tanaka")
    assert operator.email is None and operator.username == "k.tanaka"
    answer = auth.login("K.Tanaka", STRONG)  # any case
    assert answer.status_code == 302
    home = client.get("/")
    assert "Kenji" in home.text


def test_full_width_letters_typed_on_a_japanese_keyboard_are_the_same_username(app, auth):
    create_user(None, "Kenji Tanaka", "member", STRONG, username="k.tanaka")
    assert auth.login("ｋ．ｔａｎａｋａ", STRONG).status_code == 302


def test_an_account_with_both_signs_in_with_either(app, auth):
    create_user("lia@plant.example", "Lia", "leader", STRONG, username="lia")
    assert auth.login("lia", STRONG).status_code == 302
    auth.logout()
    assert auth.login("LIA@plant.example", STRONG).status_code == 302


def test_an_account_needs_an_email_or_a_username(app):
    with pytest.raises(SignInNameError, match="email address or a username"):
        create_user(None, "Nobody", "member", STRONG, username="  ")


def test_a_username_that_is_someone_elses_email_is_refused_clearly(app):
    create_user("lia@plant.example", "Lia", "leader", STRONG)
    with pytest.raises(SignInNameError) as refused:
        create_user(None, "Impostor", "member", STRONG, username="Lia@plant.example")
    assert "is the email address of another account" in refused.value.message
    assert refused.value.details == {"field": "username"}


def test_an_email_that_is_someone_elses_username_is_refused_clearly(app):
    """Usernames cannot hold an @, but one made before that rule, or by hand, still counts."""
    create_user(None, "Kenji", "member", STRONG, username="kenji")
    with app.app_context():
        from gemba_walk.extensions import db

        db.session.execute(sa.update(User).values(username="kenji@plant.example"))
        db.session.commit()
    with pytest.raises(SignInNameError) as refused:
        create_user("kenji@plant.example", "Other", "member", STRONG)
    assert "is the username of another account" in refused.value.message


def test_a_username_cannot_look_like_an_address_or_hold_spaces(app):
    with pytest.raises(SignInNameError, match="no @ in it"):
        create_user(None, "Kenji", "member", STRONG, username="kenji@home")
    with pytest.raises(SignInNameError, match="no spaces"):
        create_user(None, "Kenji", "member", STRONG, username="kenji tanaka")


def test_failed_sign_ins_count_per_account_whichever_name_is_typed(app, db):
    create_user("lia@plant.example", "Lia", "leader", STRONG, username="lia")
    for name in ("lia", "LIA@plant.example", " lia ", "lia@plant.example", "Lia"):
        assert authenticate(name, "wrong password") is None
    rows = db.session.scalars(sa.select(SignInThrottle)).all()
    # One count per kind, keyed on the normalised name: the name at this address, and the
    # name from every address (auth/throttle.py).
    assert [row.failures for row in rows] == [5, 5]
    from gemba_walk.auth.operations import SignInLocked

    with pytest.raises(SignInLocked):
        authenticate("lia@plant.example", STRONG)


def test_an_admin_creates_an_operator_with_a_username_and_no_email(app, client, auth):
    auth.login_as("admin")
    page = client.get("/admin/users/new")
    answer = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token_from(page.text),
            "name": "Ana Ruiz",
            "username": "ana.ruiz",
            "email": "",
            "role": "member",
            "password": STRONG,
            "active": "y",
        },
    )
    assert answer.status_code == 302, answer.text
    assert "ana.ruiz" in client.get("/admin/users/").text


def test_the_admin_form_shows_a_collision_under_the_username(app, client, auth):
    UserFactory(email="lia@plant.example")
    auth.login_as("admin")
    page = client.get("/admin/users/new")
    answer = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token_from(page.text),
            "name": "Lia Two",
            "username": "lia@plant.example",
            "role": "member",
            "password": STRONG,
        },
    )
    assert answer.status_code == 422
    assert 'id="username-error"' in answer.text
    assert "is the email address of another account" in answer.text


def test_an_admin_gives_an_existing_account_a_username_and_drops_its_email(app):
    admin = UserFactory(role="admin")
    person = UserFactory(email="ana@plant.example")
    update_user(
        person, acting=admin, name="Ana", role="member", active=True, username="ana", email=""
    )
    assert (person.username, person.email) == ("ana", None)


def test_flask_user_create_accepts_a_username(app, runner):
    result = runner.invoke(
        args=["user", "create", "--username", "m.garcia", "--name", "María", "--password", STRONG]
    )
    assert result.exit_code == 0, result.output
    assert "Created m.garcia (member)." in result.output
    refused = runner.invoke(args=["user", "create", "--name", "Nobody", "--password", STRONG])
    assert refused.exit_code != 0 and "Give --email, --username, or both." in refused.output


def test_switch_person_signs_out_and_opens_sign_in_for_the_next_one(app, client, auth):
    first = auth.login_as("member")
    token = auth.csrf_token("/areas/")
    answer = client.post("/switch-person", data={"csrf_token": token, "next": "/areas/"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/areas/&switch=1"
    page = client.get(answer.headers["Location"])
    assert f"{first.name} is signed out. Next person: sign in." in page.text
    assert "Next person: sign in" in page.text and "autofocus" in page.text
    assert client.get("/").status_code == 302  # nobody is signed in now
    second = UserFactory()
    signed_in = client.post(
        "/login?next=/areas/",
        data={
            "email": second.email,
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert signed_in.headers["Location"] == "/areas/"


def test_switch_person_never_sends_anyone_off_site(app, client, auth):
    auth.login_as("member")
    token = auth.csrf_token()
    answer = client.post(
        "/switch-person", data={"csrf_token": token, "next": "https://evil.example/"}
    )
    assert "evil" not in answer.headers["Location"]


def test_the_me_answer_has_no_email_for_an_operator_without_one(app, client, auth):
    create_user(None, "Kenji", "member", STRONG, username="kenji")
    auth.login("kenji", STRONG)
    assert client.get("/api/v1/me").json["user"]["email"] is None
