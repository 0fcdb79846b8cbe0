"""Named operations on accounts; views and the CLI call these, never the models directly."""

from __future__ import annotations

import secrets
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
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ROLES, keys

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
    """Too many wrong passwords for one email address: it must wait."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            "Too many wrong passwords for this email address. "
            f"Wait {minutes} {unit} and try again, or ask an admin to set a new password."
        )


@lru_cache(maxsize=1)
def _dummy_password_hash() -> str:
    """A hash made like every real one, checked when the email has no account."""
    return generate_password_hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never saying which was wrong).

    Known and unknown addresses cost the same: one password hash check (against a dummy hash
    when there is no account), one lookup of the failure count, one write. Raises SignInLocked
    while the address is cooling down after too many wrong passwords."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    locked_minutes = throttle.minutes_locked(email)
    stored_hash = user.password_hash if user is not None else _dummy_password_hash()
    password_ok = check_password_hash(stored_hash, password)
    if locked_minutes:
        raise SignInLocked(locked_minutes)
    if user is None or not user.active or not password_ok:
        throttle.count_failure(email)
        return None
    with write_transaction():
        throttle.clear(email)
        user.last_login_at = utcnow()
    return user


def check_password_strength(password: str, *related: str) -> None:
    """Refuse short, common and easily guessed passwords, saying how to make a better one.

    ``related`` are words of the account (email, name) that make a password easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordError(
            "This password is too easy to guess: it is one of the most common passwords, "
            "the first ones anyone tries. Three or four unrelated words make a strong one."
        )
    inputs = [part for text in related for part in text.lower().replace("@", " ").split() if part]
    result = zxcvbn(password[:100], user_inputs=[*inputs, *APP_WORDS])
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result["feedback"]
        advice = " ".join(filter(None, [feedback["warning"], *feedback["suggestions"]]))
        raise PasswordError(
            f"This password is too easy to guess. {advice} "
            "Three or four unrelated words make a strong one."
        )


def create_user(email: str, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if role not in keys(ROLES):
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(keys(ROLES))}.")
    check_password_strength(password, email, name)
    user = User(email=email, name=name.strip() or email, role=role, active=True)
    user.set_password(password)  # slow on purpose: done before the write lock is taken
    with write_transaction():
        if find_user_by_email(email) is not None:
            raise AccountError(f"There is already an account for {email}.")
        db.session.add(user)
    return user


def update_user(
    user: User, *, acting: User, name: str, role: str, active: bool, password: str | None = None
) -> User:
    """Change a user's name, role, activity or password, keeping at least one active admin.

    A new password or a deactivation ends every session the user has, on every device."""
    if role not in keys(ROLES):
        raise AccountError(f"Unknown role {role!r}.")
    if user.id == acting.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if password:
        check_password_strength(password, user.email, name)
    with write_transaction():
        losing_admin = user.is_admin and (role != "admin" or not active)
        if losing_admin and _active_admin_count() <= 1:
            raise AccountError("This is the last active admin; make someone else admin first.")
        if password:
            user.set_password(password)
        user.name = name.strip() or user.email
        user.role = role
        user.active = active
        if password or not active:
            end_all_sessions(user.id)
        if password:
            throttle.clear(user.email)
    return user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A person changes their own password: the current one is needed, and every session of
    theirs ends (the caller starts a new one for the device in hand)."""
    if not user.check_password(current_password):
        raise AccountError("Your current password is not right.")  # not a PasswordError
    check_password_strength(new_password, user.email, user.name)
    user.set_password(new_password)  # slow on purpose: before the write lock is taken
    with write_transaction():
        db.session.add(user)
        end_all_sessions(user.id)
        throttle.clear(user.email)


def _active_admin_count() -> int:
    query = sa.select(sa.func.count()).select_from(User).where(User.role == "admin", User.active)
    return db.session.scalar(query) or 0


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))


THEMES = ("auto", "light", "dark")


def set_display(user: User, theme: str, large_text: bool) -> None:
    """How pages look for this person, on every phone they sign in on."""
    if theme not in THEMES:
        raise AccountError(f"Unknown theme “{str(theme)[:20]}”: choose auto, light or dark.")
    with write_transaction():
        user.theme = theme
        user.large_text = bool(large_text)
