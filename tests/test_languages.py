"""Languages (issue 17): the person's own choice, else the browser's, else English; an unknown
code falls back silently; dates and numbers in the person's locale; the capture shell's words
travel in the field pack so a phone offline still speaks the person's language."""

from __future__ import annotations

from datetime import datetime

import pytest

from gemba_walk.core import i18n
from tests.conftest import csrf_token_from
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "header, words",
    [
        ("de-DE,de;q=0.9,en;q=0.5", "Anmelden"),
        ("es-MX", "Iniciar sesión"),
        ("ja-JP,ja;q=0.9", "サインイン"),
        ("xx-YY", "Sign in"),  # a language we do not speak: English, no error
        ("", "Sign in"),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(client, header, words):
    page = client.get("/login", headers={"Accept-Language": header} if header else {})
    assert page.status_code == 200
    assert f"<h1>{words}</h1>" in page.text


def test_the_persons_choice_wins_over_the_browser(app, client, auth):
    person = UserFactory(language="ja")
    auth.login(person.email)
    page = client.get("/account", headers={"Accept-Language": "de"})
    assert "あなたのアカウント" in page.text and '<html lang="ja"' in page.text


def test_a_stored_language_we_no_longer_speak_falls_back_to_the_browser(app, client, auth):
    person = UserFactory(language="xx")
    auth.login(person.email)
    page = client.get("/account", headers={"Accept-Language": "es"})
    assert page.status_code == 200 and "Su cuenta" in page.text


def test_a_person_picks_a_language_on_the_account_page(app, client, auth):
    person = auth.login_as("member")
    page = client.get("/account")
    assert "日本語" in page.text and "Deutsch" in page.text
    answer = client.post(
        "/account/language",
        data={"csrf_token": csrf_token_from(page.text), "language": "es"},
        follow_redirects=True,
    )
    assert "Idioma guardado." in answer.text
    assert person.language == "es"
    back = client.post(
        "/account/language",
        data={"csrf_token": csrf_token_from(page.text), "language": ""},
        follow_redirects=True,
        headers={"Accept-Language": "de"},
    )
    assert person.language is None and "Sprache gespeichert." in back.text


def test_an_unknown_language_code_is_refused_on_the_form_without_a_500(app, client, auth):
    auth.login_as("member")
    page = client.get("/account")
    answer = client.post(
        "/account/language", data={"csrf_token": csrf_token_from(page.text), "language": "xx"}
    )
    assert answer.status_code == 422 and "Language" in answer.text


def test_error_pages_speak_the_language(client):
    answer = client.get("/no/such/page", headers={"Accept-Language": "es"})
    assert answer.status_code == 404 and "No encontrado" in answer.text


def test_dates_and_numbers_follow_the_locale(app):
    moment = datetime(2026, 11, 26, 7, 49)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        i18n.refresh_locale()  # the test's app context is shared: choose again, as a request does
        assert i18n.format_datetime(moment) == "2026年11月26日 7:49"
        assert i18n.localise_number("3.5") == "3.5"
    with app.test_request_context(headers={"Accept-Language": "de"}):
        i18n.refresh_locale()
        assert i18n.format_datetime(moment) == "26. Nov. 2026, 07:49"
        assert i18n.localise_number("3.5") == "3,5"
    with app.test_request_context():
        i18n.refresh_locale()
        assert i18n.format_datetime(moment) == "26 Nov 2026, 07:49"  # as before languages
        assert i18n.format_date(moment.date()) == "26 Nov 2026"


def test_the_field_pack_carries_the_shells_words_in_the_persons_language(app, client, auth):
    person = UserFactory(language="ja")
    auth.login(person.email)
    pack = client.get("/api/v1/pack").json
    assert pack["language"] == "ja"
    assert pack["messages"]["Switch person"] == "交代"
    english = UserFactory()
    auth.logout()
    auth.login(english.email)
    pack = client.get("/api/v1/pack").json
    assert (pack["language"], pack["messages"]) == ("en", {})


def test_pages_carry_the_words_their_scripts_need(app, client, auth):
    person = UserFactory(language="de")
    auth.login(person.email)
    page = client.get("/")
    assert 'id="js-messages"' in page.text and "Person wechseln" in page.text


def test_a_message_missing_from_a_catalog_shows_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        i18n.refresh_locale()
        assert i18n.gettext("A sentence nobody translated yet.") == (
            "A sentence nobody translated yet."
        )
        assert i18n.gettext("Sign in") == "Anmelden"
