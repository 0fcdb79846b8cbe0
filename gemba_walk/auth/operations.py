"""Named operations on accounts; views and the CLI call these, never the models directly."""

from __future__ import annotations

import re
import secrets
import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from gemba_walk.auth import throttle
from gemba_walk.auth.models import User
from gemba_walk.auth.sessions import end_all_sessions
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import LANGUAGE_CODES
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_, ROLES, keys

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])  # 30,000, most used first
# Words anyone would try first against this app's accounts.
APP_WORDS = ("gemba", "walk", "kaizen", "lean", "plant", "audit", "5s")


class AccountError(RuleError):
    """A change to an account that cannot be made, with the reason in plain words."""

    error_code = "account_refused"


class PasswordError(AccountError):
    """A new password that is refused (too short, common or easily guessed)."""

    error_code = "weak_password"


class SignInLocked(Exception):
    """Too many wrong passwords for one sign-in name at one address: it must wait."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__(minutes)


USERNAME_PATTERN = re.compile(r"^[^\W_][\w.-]{1,63}$")  # letters of any script, digits, . _ -
MAX_USERNAME_LENGTH = 64


@lru_cache(maxsize=1)
def _dummy_password_hash() -> str:
    """A hash made like every real one, checked when the sign-in name has no account."""
    return generate_password_hash(secrets.token_urlsafe(16))


def normalise_identifier(text: str) -> str:
    """An e-mail address or username as it is stored and compared: NFKC (full-width letters
    typed on a Japanese keyboard are the same name), no outer spaces, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


normalise_email = normalise_identifier


def find_user_by_identifier(identifier: str) -> User | None:
    """The account whose e-mail address or username this is (never both: see _check_names)."""
    name = normalise_identifier(identifier)
    return db.session.scalar(
        sa.select(User).where(sa.or_(User.email == name, User.username == name))
    )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_identifier(email)))


def _throttle_key(user: User | None, identifier: str) -> str:
    """One count per account whichever of its names is typed; the typed name otherwise."""
    return normalise_identifier(user.sign_in_name) if user is not None else identifier


def authenticate(identifier: str, password: str, address: str = "") -> User | None:
    """The active user with this e-mail or username and password, or None (never saying which
    was wrong).

    Known and unknown names cost the same: one password hash check (against a dummy hash
    when there is no account), one lookup of the failure counts, one write. Raises SignInLocked
    while the name must wait at this address (``address``: the client's) after too many wrong
    passwords (auth/throttle.py)."""
    identifier = normalise_identifier(identifier)
    user = find_user_by_identifier(identifier)
    key = _throttle_key(user, identifier)
    locked_minutes = throttle.minutes_locked(key, address)
    stored_hash = user.password_hash if user is not None else _dummy_password_hash()
    password_ok = check_password_hash(stored_hash, password)
    if locked_minutes:
        raise SignInLocked(locked_minutes)
    if user is None or not user.active or not password_ok:
        throttle.count_failure(key, address)
        return None
    with write_transaction():
        throttle.clear(key, address)
        user.last_login_at = utcnow()
    return user


def clear_sign_in_failures(user: User) -> None:
    throttle.clear(_throttle_key(user, ""))


def check_password_strength(password: str, *related: str) -> None:
    """Refuse short, common and easily guessed passwords, saying how to make a better one.

    ``related`` are words of the account (email, name) that make a password easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(
            _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
        )
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordError(
            _(
                "This password is too easy to guess: it is one of the most common passwords, "
                "the first ones anyone tries. Three or four unrelated words make a strong one."
            )
        )
    inputs = [part for text in related for part in text.lower().replace("@", " ").split() if part]
    result = zxcvbn(password[:100], user_inputs=[*inputs, *APP_WORDS])
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result["feedback"]
        advice = " ".join(
            _advice_read(sentence)
            for sentence in [feedback["warning"], *feedback["suggestions"]]
            if sentence
        )
        raise PasswordError(
            _(
                "This password is too easy to guess. %(advice)s "
                "Three or four unrelated words make a strong one.",
                advice=advice,
            )
        )


# zxcvbn's advice is a fixed set of English sentences (zxcvbn/feedback.py, version 4.5): marked
# here so the catalogs translate them. A sentence a later zxcvbn adds reads in English until it
# is added here.
ZXCVBN_ADVICE = frozenset(
    (
        N_("Use a few words, avoid common phrases."),
        N_("No need for symbols, digits, or uppercase letters."),
        N_("Add another word or two. Uncommon words are better."),
        N_("Straight rows of keys are easy to guess."),
        N_("Short keyboard patterns are easy to guess."),
        N_("Use a longer keyboard pattern with more turns."),
        N_('Repeats like "aaa" are easy to guess.'),
        N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        N_("Avoid repeated words and characters."),
        N_('Sequences like "abc" or "6543" are easy to guess.'),
        N_("Avoid sequences."),
        N_("Recent years are easy to guess."),
        N_("Avoid recent years."),
        N_("Avoid years that are associated with you."),
        N_("Dates are often easy to guess."),
        N_("Avoid dates and years that are associated with you."),
        N_("This is a top-10 common password."),
        N_("This is a top-100 common password."),
        N_("This is a very common password."),
        N_("This is similar to a commonly used password."),
        N_("A word by itself is easy to guess."),
        N_("Names and surnames by themselves are easy to guess."),
        N_("Common names and surnames are easy to guess."),
        N_("Capitalization doesn't help very much."),
        N_("All-uppercase is almost as easy to guess as all-lowercase."),
        N_("Reversed words aren't much harder to guess."),
        N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    )
)


def _advice_read(sentence: str) -> str:
    """One of zxcvbn's sentences in the person's language (one we do not know: as written)."""
    return _(sentence) if sentence in ZXCVBN_ADVICE else sentence


class SignInNameError(AccountError):
    """An e-mail address or username that cannot be an account's sign-in name."""

    error_code = "sign_in_name_refused"


def _clean_names(email: str | None, username: str | None) -> tuple[str | None, str | None]:
    """Normalise both names and check their form: at least one, a username is no address."""
    email = normalise_identifier(email) if email and email.strip() else None
    username = normalise_identifier(username) if username and username.strip() else None
    if email is None and username is None:
        raise SignInNameError(
            _("Give an email address or a username: one of them signs in."), {"field": "email"}
        )
    if email is not None and "@" not in email:
        raise SignInNameError(_("An email address has an @ in it."), {"field": "email"})
    return email, username


def _check_username_form(username: str) -> None:
    if "@" in username:
        raise SignInNameError(
            _("A username has no @ in it: it would look like an email address."),
            {"field": "username"},
        )
    if not USERNAME_PATTERN.match(username):
        raise SignInNameError(
            _(
                "A username is 2 to %(max)s letters or digits, with . _ or - between them, "
                "and no spaces.",
                max=MAX_USERNAME_LENGTH,
            ),
            {"field": "username"},
        )


def _check_names_free(email: str | None, username: str | None, user_id: int | None) -> None:
    """Every sign-in name belongs to one account only, whether it is someone's e-mail address
    or someone's username: the sign-in form has one field for both."""
    for name in filter(None, (email, username)):
        query = sa.select(User).where(sa.or_(User.email == name, User.username == name))
        if user_id is not None:
            query = query.where(User.id != user_id)
        other = db.session.scalar(query.limit(1))
        if other is None:
            continue
        if other.email == name and name == username:
            raise SignInNameError(
                _(
                    "%(name)s is the email address of another account, so it cannot be a "
                    "username: the sign-in form would not know whom you mean.",
                    name=name,
                ),
                {"field": "username"},
            )
        if other.username == name and name == email:
            raise SignInNameError(
                _(
                    "%(name)s is the username of another account, so it cannot be this "
                    "account's email address: the sign-in form would not know whom you mean.",
                    name=name,
                ),
                {"field": "email"},
            )
        field = "username" if name == username else "email"
        raise SignInNameError(
            _("There is already an account for %(name)s.", name=name), {"field": field}
        )


def create_user(
    email: str | None,
    name: str,
    role: str,
    password: str,
    *,
    username: str | None = None,
    language: str | None = None,
) -> User:
    """A new account that signs in with its e-mail address, its username, or either."""
    email, username = _clean_names(email, username)
    _check_names_free(email, username, None)  # first: the clearest reason (checked again below)
    if username is not None:
        _check_username_form(username)
    if role not in keys(ROLES):
        raise AccountError(
            _(
                "Unknown role %(role)s; choose one of %(roles)s.",
                role=repr(role),
                roles=", ".join(keys(ROLES)),
            )
        )
    check_password_strength(password, email or "", username or "", name)
    sign_in_name = username or email or ""
    user = User(
        email=email,
        username=username,
        name=name.strip() or sign_in_name,
        role=role,
        active=True,
        language=language,
    )
    user.set_password(password)  # slow on purpose: done before the write lock is taken
    with write_transaction():
        _check_names_free(email, username, None)
        db.session.add(user)
    return user


_KEEP = object()


def update_user(
    user: User,
    *,
    acting: User,
    name: str,
    role: str,
    active: bool,
    password: str | None = None,
    email=_KEEP,
    username=_KEEP,
) -> User:
    """Change a user's name, sign-in names, role, activity or password, keeping at least one
    active admin.

    A new password or a deactivation ends every session the user has, on every device."""
    if role not in keys(ROLES):
        raise AccountError(_("Unknown role %(role)s.", role=repr(role)))
    if user.id == acting.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    new_email = user.email if email is _KEEP else email
    new_username = user.username if username is _KEEP else username
    new_email, new_username = _clean_names(new_email, new_username)
    _check_names_free(new_email, new_username, user.id)
    if new_username is not None and new_username != user.username:
        _check_username_form(new_username)
    if password:
        check_password_strength(password, new_email or "", new_username or "", name)
    with write_transaction():
        losing_admin = user.is_admin and (role != "admin" or not active)
        if losing_admin and _active_admin_count() <= 1:
            raise AccountError(_("This is the last active admin; make someone else admin first."))
        _check_names_free(new_email, new_username, user.id)
        if password:
            user.set_password(password)
        user.email, user.username = new_email, new_username
        user.name = name.strip() or user.sign_in_name
        user.role = role
        user.active = active
        if password or not active:
            end_all_sessions(user.id)
        if password:
            clear_sign_in_failures(user)
    return user


def set_language(user: User, language: str | None) -> None:
    """A person's own choice of language; None (or an unknown code) follows the browser."""
    with write_transaction():
        db.session.add(user)
        user.language = language if language in LANGUAGE_CODES else None


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A person changes their own password: the current one is needed, and every session of
    theirs ends (the caller starts a new one for the device in hand)."""
    if not user.check_password(current_password):
        raise AccountError(_("Your current password is not right."))  # not a PasswordError
    check_password_strength(new_password, user.email or "", user.username or "", user.name)
    user.set_password(new_password)  # slow on purpose: before the write lock is taken
    with write_transaction():
        db.session.add(user)
        end_all_sessions(user.id)
        clear_sign_in_failures(user)


def _active_admin_count() -> int:
    query = sa.select(sa.func.count()).select_from(User).where(User.role == "admin", User.active)
    return db.session.scalar(query) or 0


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))


THEMES = ("auto", "light", "dark")


def set_display(user: User, theme: str, large_text: bool) -> None:
    """How pages look for this person, on every phone they sign in on."""
    if theme not in THEMES:
        raise AccountError(
            _("Unknown theme “%(theme)s”: choose auto, light or dark.", theme=str(theme)[:20])
        )
    with write_transaction():
        user.theme = theme
        user.large_text = bool(large_text)
