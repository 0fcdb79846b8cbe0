"""Languages: which one a request speaks, and dates and numbers written the way it reads them.

Flask-Babel does the work: the person's own choice (``User.language``) first, then the
browser's Accept-Language, then English. An unknown or retired code is ignored silently (a
person whose language was removed simply gets the browser's). Catalogs live in
``gemba_walk/translations`` (``messages`` for pages, ``js`` for the capture shell's JavaScript);
``make assets`` compiles them and ``tests/test_catalogs.py`` holds them complete.

Which zone and which day a moment belongs to is ``core/localtime``'s decision; this module only
writes that local moment in the person's language (``format_datetime``, ``format_date``: the
page filters), where ``localtime.fixed_datetime`` is the one fixed English format.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import flask_babel
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import Translations
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext
from flask_babel import ngettext as _ngettext
from flask_login import current_user

from gemba_walk.core import localtime
from gemba_walk.extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LOCALE = "en"
# (code, the language's own name): the account page offers them in this order.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ja", "日本語"),
)
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGES)

gettext = _gettext
lazy_gettext = _lazy_gettext
ngettext = _ngettext
force_locale = flask_babel.force_locale


def known_language(code: str | None) -> str | None:
    """The code if we speak it, else None (never an error: a stale cookie or setting is fine)."""
    if not code:
        return None
    code = code.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGE_CODES else None


def reader_language(user) -> str:
    """The language to write to a person in when no request is theirs (e-mail, push): their
    own choice, else English."""
    return known_language(getattr(user, "language", None)) or DEFAULT_LOCALE


def select_locale() -> str:
    """The person's language, else the browser's best match, else English."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = known_language(getattr(current_user, "language", None))
    if chosen:
        return chosen
    best = request.accept_languages.best_match([code for code, _name in LANGUAGES])
    return known_language(best) or DEFAULT_LOCALE


def refresh_locale() -> None:
    """Choose the language again (after signing in, or changing one's own)."""
    flask_babel.refresh()


def current_language() -> str:
    locale = get_locale()
    return str(locale.language) if locale else DEFAULT_LOCALE


def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT_LOCALE)


def format_datetime(value: datetime | None, zone_name: str | None = None) -> str:
    """A moment in the plant's local time as the person's language writes it: English keeps
    the fixed "26 Nov 2026, 08:33"; others take Babel's ("26. Nov. 2026, 08:33",
    "2026年11月26日 8:33")."""
    if value is None:
        return "—"
    locale = _locale()
    if locale.language == "en":
        return localtime.fixed_datetime(value, zone_name)
    local = localtime.to_local(value, zone_name)
    day = babel_dates.format_skeleton("yMMMd", local, locale=locale)
    clock = babel_dates.format_skeleton("Hm", local, tzinfo=local.tzinfo, locale=locale)
    joined = str(locale.datetime_formats.get("medium", "{1} {0}"))
    return joined.replace("{1}", day).replace("{0}", clock)


def format_date(value: date | datetime | None, zone_name: str | None = None) -> str:
    if value is None:
        return "—"
    locale = _locale()
    if locale.language == "en":
        return localtime.fixed_date(value, zone_name)
    if isinstance(value, datetime):
        value = localtime.to_local(value, zone_name).date()
    return babel_dates.format_skeleton("yMMMd", value, locale=locale)


def format_weekday(value: date) -> str:
    """A day's short name as the person's language writes it ("Mon", "Mo.", "lun", "月")."""
    locale = _locale()
    if locale.language == "en":
        return value.strftime("%a")
    return babel_dates.format_date(value, "EEE", locale=locale)


def format_day_month(value: date) -> str:
    """A day and month without the year ("26 Nov", "26. Nov.", "26 nov", "11月26日")."""
    locale = _locale()
    if locale.language == "en":
        return value.strftime("%d %b")
    return babel_dates.format_skeleton("MMMd", value, locale=locale)


def localise_number(text: str) -> str:
    """A number already written by the field rules (rounding, no exponent) with the person's
    decimal sign: the value and its rounding stay the phone's, only the comma changes."""
    symbol = babel_numbers.get_decimal_symbol(_locale())
    return text.replace(".", symbol) if symbol != "." else text


@lru_cache(maxsize=8)
def js_messages(language: str) -> dict[str, str]:
    """The capture shell's strings in one language (msgid → text), from the compiled ``js``
    domain; English is the msgids themselves, so an empty mapping."""
    if language not in LANGUAGE_CODES or language == DEFAULT_LOCALE:
        return {}
    catalog = Translations.load(str(TRANSLATIONS_DIR), [language], domain="js")
    return {
        key: value
        for key, value in getattr(catalog, "_catalog", {}).items()
        if isinstance(key, str) and key and value
    }


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel keeps the chosen locale on ``g``; each request chooses again (a test client
    # shares one app context across requests, and a sign-in changes who is asking).
    app.before_request(refresh_locale)
    app.jinja_env.globals.update(
        languages=LANGUAGES, current_language=current_language, js_messages=js_messages
    )


class Said(str):
    """A sentence written once and read later by people of several languages (a notification):
    the English text itself, which also remembers its msgid and values, so each reader's page,
    e-mail or push is written in the reader's language (``event_message``)."""

    msgid: str
    params: dict


class Phrase(str):
    """A value that is one of the app's own words (the name of a default checklist): stored as
    written, read in the reader's language."""


class Problem(str):
    """A ticket's title or a finding's words inside a sentence: stored as written, read through
    the reader the app registers (``read_problems_with``: our own 5S questions in the
    reader's language, a person's words as written)."""


def read_problems_with(app: Flask, reader) -> None:
    """How a ``Problem`` reads in this app (the core cannot know the checklists; the app says
    it when it is made)."""
    app.extensions["problem_reader"] = reader


def _problem_reader():
    """The app's reader of a ``Problem``; as written outside an app."""
    return current_app.extensions.get("problem_reader", str) if has_app_context() else str


def _english(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d %b")
    return value


def _stored(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"day": value.isoformat()}
    if isinstance(value, Phrase):
        return {"phrase": str(value)}
    if isinstance(value, Problem):
        return {"problem": str(value)}
    return value


def _read(value):
    """A stored value as the reader's language writes it (a day, one of our phrases)."""
    if isinstance(value, dict):
        if isinstance(value.get("day"), str):
            return format_day_month(date.fromisoformat(value["day"]))
        phrase = value.get("phrase")
        if isinstance(phrase, str):
            return gettext(phrase)
        if isinstance(value.get("problem"), str):
            return _problem_reader()(value["problem"])
    return value


def said(msgid: str, **params) -> Said:
    """``said(N_("%(number)s opened: %(title)s"), number=..., title=...)``: the English
    sentence, keeping what is needed to say it again in another language. Values are plain
    text or numbers (they are stored as JSON), a ``date`` (read as the reader writes a day and
    month), a ``Phrase`` (one of our own words, translated when read) or a ``Problem`` (a
    ticket's title: see ``read_problems_with``)."""
    english = {name: _english(value) for name, value in params.items()}
    text = Said(msgid % english if params else msgid)
    text.msgid = msgid
    text.params = {name: _stored(value) for name, value in params.items()}
    return text


def said_data(message: str) -> dict | None:
    """What to store beside a Said (``{"text": {"id", "params"}}``), or None."""
    if isinstance(message, Said):
        return {"text": {"id": message.msgid, "params": message.params}}
    return None


def event_message(event) -> str:
    """An event's sentence in the language of the request (or of a ``force_locale`` block):
    from its stored msgid and values when it has them, else as it was written."""
    spec = (getattr(event, "data", None) or {}).get("text")
    message = getattr(event, "message", "") or ""
    if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
        return message
    msgid = spec["id"]
    try:
        values = {name: _read(value) for name, value in (spec.get("params") or {}).items()}
        return gettext(msgid, **values)
    except (KeyError, TypeError, ValueError):
        return message  # a catalog whose placeholders do not fit: the English as written
