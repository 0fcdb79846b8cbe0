"""API tokens: made with a name and scopes, shown once, kept hashed, revoked at will.

``authenticate`` answers the user for a bearer token or raises ``TokenError`` (401 for an
unknown or revoked token, 403 for a missing scope); the API calls it on every request that
carries ``Authorization: Bearer``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from gemba_walk.auth.models import ApiToken, User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_

SCOPES = {
    "read": N_("Read tickets, audits, findings, areas and walk results"),
    "write:tickets": N_("Update tickets (steps, PDCA, comments)"),
}
PREFIX = "gw_"
# Writing last_used_at on every request would make each API read a write: once a minute is
# enough to tell which tokens are in use.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(DomainError):
    """A token that does not open this door."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(owner: User, creator: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Make a token for ``owner`` (a person themselves, or an admin for anyone); answers the row
    and the token's text, which is never stored or shown again."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise TokenError(422, "invalid_name", _("Name the token (at most 80 characters)."))
    if owner.id != creator.id and not creator.is_admin:
        raise TokenError(403, "not_allowed", _("Only an admin makes tokens for someone else."))
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise TokenError(
            422, "invalid_scopes", _("Choose at least one scope: read, write:tickets.")
        )
    if not owner.active:
        raise TokenError(
            422, "inactive_user", _("%(name)s can no longer sign in.", name=owner.name)
        )
    text = PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        token = ApiToken(
            user_id=owner.id,
            name=name,
            prefix=text[:11],
            token_sha256=_digest(text),
            scopes=" ".join(sorted(set(scopes))),
            created_by_id=creator.id,
        )
        db.session.add(token)
    return token, text


def revoke_token(token_id: int, user: User) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and not user.is_admin):
        raise TokenError(404, "not_found", _("There is no such token."))
    with write_transaction():
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    return token


def tokens_of(user: User) -> list[ApiToken]:
    query = sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    if not user.is_admin:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def authenticate(text: str, scope: str) -> User:
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_sha256 == _digest(text or ""))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        raise TokenError(401, "invalid_token", _("This API token is unknown or was revoked."))
    if scope not in token.scope_list:
        raise TokenError(
            403,
            "insufficient_scope",
            _("This API token lacks the %(scope)s scope.", scope=repr(scope)),
        )
    now = utcnow()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        with write_transaction():
            token.last_used_at = now
    return token.user
