"""Named operations on accounts; views and the CLI call these, never the models directly."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.auth.models import User
from gemba_walk.auth.sessions import end_all_sessions
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ROLES, keys

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A change to an account that cannot be made, with the reason in plain words."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never saying which was wrong)."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    with write_transaction():
        user.last_login_at = utcnow()
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(email: str, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if role not in keys(ROLES):
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(keys(ROLES))}.")
    check_password_strength(password)
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
        check_password_strength(password)
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
    return user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A person changes their own password: the current one is needed, and every session of
    theirs ends (the caller starts a new one for the device in hand)."""
    if not user.check_password(current_password):
        raise AccountError("Your current password is not right.")
    check_password_strength(new_password)
    user.set_password(new_password)  # slow on purpose: before the write lock is taken
    with write_transaction():
        db.session.add(user)
        end_all_sessions(user.id)


def _active_admin_count() -> int:
    query = sa.select(sa.func.count()).select_from(User).where(User.role == "admin", User.active)
    return db.session.scalar(query) or 0


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))
