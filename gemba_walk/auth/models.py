"""People who use Gemba Walk and their roles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ROLES, keys


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(sa.column("role").in_(keys(ROLES)), name="role_known"),
        # Everyone signs in with something: an e-mail address, a username, or both.
        sa.CheckConstraint(
            sa.or_(sa.column("email").is_not(None), sa.column("username").is_not(None)),
            name="email_or_username",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optional: operators on the floor often have none. Needed only for e-mail notifications
    # and a self-service password reset; a username signs in just as well.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    username: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # A locale code of gemba_walk.i18n.LANGUAGES; None follows the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="member")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # how pages look for this person: "auto" follows the phone's light/dark setting
    theme: Mapped[str] = mapped_column(sa.String(8), default="auto", server_default="auto")
    large_text: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # The token of the session this object was loaded for (not a column): Flask-Login keeps
    # get_id() in the session and the remember cookie, so a cookie names one UserSession row.
    session_token = None

    def get_id(self) -> str:
        if not self.session_token:
            raise RuntimeError("Sign a user in through auth.sessions.start_session().")
        return f"{self.id}.{self.session_token}"

    # UserMixin compares users by get_id(); the same person is the same user on any device.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive users
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_leader(self) -> bool:
        return self.role in ("leader", "admin")

    @property
    def sign_in_name(self) -> str:
        """What this person types to sign in: the username when there is one, else the e-mail."""
        return self.username or self.email or ""

    def __repr__(self) -> str:
        return f"<User {self.sign_in_name} {self.role}>"


class UserSession(db.Model):
    """One signed-in device. Its cookies (session and remember-me) carry a random token whose
    SHA-256 is kept here; deleting the row ends them on the server, wherever the cookies are."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")


class SignInThrottle(db.Model):
    """Failed sign-ins counted per sign-in name (e-mail or username), in the database so every
    worker and server sees the same count. Keyed by the SHA-256 of the normalised name, known or
    not, so the lockout looks the same for a name without an account (nothing to learn from it)."""

    __tablename__ = "sign_in_throttles"

    identifier_sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ApiToken(db.Model):
    """A named key for the REST API, for a person or a service account: shown once, kept as its
    SHA-256, with scopes, a last-used time, and revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in lists: "gw_Ab12Cd34"
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[str] = mapped_column(sa.String(100))  # space-separated: "read write:tickets"
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
