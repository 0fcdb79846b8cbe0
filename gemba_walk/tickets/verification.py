"""Who verifies a ticket (the site's choice), and how it was verified: at the gemba, with a
recent label scan of the area, or without one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from gemba_walk.areas.models import AreaScan
from gemba_walk.auth.models import User
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.localtime import format_time
from gemba_walk.extensions import db
from gemba_walk.lean import CLOSED_TICKET_STATUSES, DEFAULT_VERIFICATION_MODE
from gemba_walk.tickets import history
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.models import Layer, LayerMember

GEMBA_SCAN_HOURS = 12  # a label scan this recent counts as "verified at the gemba"


def verification_mode(ticket: KaizenTicket) -> str:
    """Who may verify at the ticket's site (lean.VERIFICATION_MODES)."""
    return ticket.area.site.verification_mode or DEFAULT_VERIFICATION_MODE


@dataclass(frozen=True)
class Verifiers:
    """Who may verify one ticket, and the sentence that tells people so."""

    rule: str
    leader_ids: frozenset[int] | None = None  # only these leaders (and admins); None: any leader
    owner_too: bool = False
    names: str = ""  # the people of ``leader_ids``, for the sentence


def _layer_of(site_id: int, user_id: int) -> Layer | None:
    return db.session.scalar(
        sa.select(Layer)
        .join(LayerMember, LayerMember.layer_id == Layer.id)
        .where(LayerMember.site_id == site_id, LayerMember.user_id == user_id)
    )


def _owners_leaders(ticket: KaizenTicket) -> Verifiers:
    """ "The owner's own leader": a leader in the audit layer just above the owner's layer at the
    ticket's site (the next higher rank; several layers of that rank count alike). An admin may
    always verify. Where that cannot be known — no owner, the owner in no layer, the owner in the
    top layer, nobody who may verify in the layer above — another leader verifies, as by default,
    and the sentence says which case it is."""
    site = ticket.area.site
    rule = _(
        "At %(site)s the owner's own leader verifies: a leader of the audit layer above "
        "the owner's, or an admin.",
        site=site.name,
    )
    owner = ticket.owner
    if owner is None:
        no_owner = _(
            "This ticket has no owner, so any leader or admin who does not own the ticket "
            "verifies it."
        )
        return Verifiers(f"{rule} {no_owner}")
    layer = _layer_of(site.id, owner.id)
    if layer is None:
        no_layer = _(
            "%(owner)s is in no audit layer at %(site)s, so any leader or admin who does not "
            "own the ticket verifies it.",
            owner=owner.name,
            site=site.name,
        )
        return Verifiers(f"{rule} {no_layer}")
    above = db.session.scalar(
        sa.select(sa.func.min(Layer.rank)).where(Layer.site_id == site.id, Layer.rank > layer.rank)
    )
    if above is None:
        top = _(
            "%(owner)s is in the top layer (%(layer)s), with no layer above, so any leader or "
            "admin who does not own the ticket verifies it.",
            owner=owner.name,
            layer=layer.name,
        )
        return Verifiers(f"{rule} {top}")
    rows = db.session.execute(
        sa.select(User.id, User.name, Layer.name)
        .join(LayerMember, LayerMember.user_id == User.id)
        .join(Layer, Layer.id == LayerMember.layer_id)
        .where(
            Layer.site_id == site.id,
            Layer.rank == above,
            User.active,
            User.role.in_(("leader", "admin")),
            User.id != owner.id,
        )
        .order_by(User.name)
    ).all()
    layers_above = ", ".join(
        db.session.scalars(
            sa.select(Layer.name)
            .where(Layer.site_id == site.id, Layer.rank == above)
            .order_by(Layer.name)
        )
    )
    if not rows:
        nobody = _(
            "Nobody who may verify is in the layer above %(owner)s's (%(layers)s), so any "
            "leader or admin who does not own the ticket verifies it.",
            owner=owner.name,
            layers=layers_above,
        )
        return Verifiers(f"{rule} {nobody}")
    names = ", ".join(name for _id, name, _layer in rows)
    above_names = _(
        "%(owner)s is in %(layer)s; the layer above is %(layers)s: %(names)s.",
        owner=owner.name,
        layer=layer.name,
        layers=layers_above,
        names=names,
    )
    return Verifiers(
        f"{rule} {above_names}",
        leader_ids=frozenset(user_id for user_id, _name, _layer in rows),
        names=names,
    )


def verifiers(ticket: KaizenTicket) -> Verifiers:
    """Who may verify the ticket under its site's mode (lean.VERIFICATION_MODES)."""
    mode = verification_mode(ticket)
    site = ticket.area.site.name
    if mode == "any_leader":
        return Verifiers(
            _(
                "At %(site)s any leader or admin verifies, the owner too (self-verified is "
                "recorded).",
                site=site,
            ),
            owner_too=True,
        )
    if mode == "leader_above":
        return _owners_leaders(ticket)
    return Verifiers(
        _("At %(site)s a leader or admin who does not own the ticket verifies it.", site=site)
    )


def may_verify(user: User, ticket: KaizenTicket, rule: Verifiers | None = None) -> bool:
    if not user.is_leader:
        return False
    rule = rule or verifiers(ticket)
    if ticket.owner_id == user.id and not rule.owner_too:
        return False
    return rule.leader_ids is None or user.is_admin or user.id in rule.leader_ids


def who_may_verify(user: User, ticket: KaizenTicket) -> str:
    """One sentence for the ticket page: who may verify here, and why this person may not."""
    verifying = verifiers(ticket)
    rule = verifying.rule
    if ticket.status in CLOSED_TICKET_STATUSES:
        return rule
    if not user.is_leader:
        member = _("You are a team member, so you cannot verify.")
        return f"{rule} {member}"
    if not may_verify(user, ticket, verifying):
        if ticket.owner_id == user.id:
            owns = _("You own this ticket, so another leader verifies it.")
            return f"{rule} {owns}"
        not_above = _("You are not in the layer above the owner's, so you cannot verify it.")
        return f"{rule} {not_above}"
    if ticket.status != "done":
        later = _("You may verify once the ticket is marked done.")
        return f"{rule} {later}"
    return rule


def verification_words(ticket: KaizenTicket) -> str:
    """How the ticket was verified, exactly as it happened (card, ticket page, API, CSV):
    at the gemba with the label scan's time in the site's zone, or without a scan."""
    if ticket.verified_at is None:
        return ""
    zone = ticket.area.site.timezone
    if ticket.verified_how == "scan" and ticket.verified_scan_at is not None:
        return _(
            "Verified at the gemba (label scanned %(time)s).",
            time=format_time(ticket.verified_scan_at, zone),
        )
    if ticket.verified_how == "no_scan":
        return _("Verified without a label scan.")
    return _("Verified (whether a label was scanned was not recorded then).")


def scanned_recently(user: User, ticket: KaizenTicket, now: datetime) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(AreaScan.scanned_at)).where(
            AreaScan.user_id == user.id,
            AreaScan.area_id == ticket.area_id,
            AreaScan.scanned_at >= now - timedelta(hours=GEMBA_SCAN_HOURS),
        )
    )


def verify(ticket: KaizenTicket, user: User, result: str, now: datetime) -> dict:
    """Record the verification on the ticket; answer what its history event keeps."""
    if result:
        ticket.check_result = result
    ticket.verified_by_id = user.id
    ticket.verified_at = now
    ticket.self_verified = ticket.owner_id == user.id
    scanned = scanned_recently(user, ticket, now)
    ticket.verified_how = "scan" if scanned else "no_scan"
    ticket.verified_scan_at = scanned
    return {
        "how": ticket.verified_how,
        "scanned_at": history.moment(scanned) if scanned else None,
        "self_verified": ticket.self_verified,
        "result": result or None,
    }
