"""The kaizen workflow: who may move a ticket where, and what each step needs.

Open → In progress → Done → Verified (closed), with Reopened (sent back, recurred, or reopened
after closing) and Rejected (with a reason). Any signed-in user comments; the owner or a leader
starts work and marks it done; Done needs a countermeasure and an "after" photo; who verifies
is the site's choice (``verifiers``): by default a leader or admin who is not the owner
(separation of duties); leaders reassign. Every change is
a TicketEvent, so the history is the ticket's whole story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gemba_walk.areas.models import AreaScan
from gemba_walk.audits.models import Photo
from gemba_walk.auth.models import User
from gemba_walk.core import hooks
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import Problem, current_language, format_date, said
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import format_time, site_today
from gemba_walk.extensions import db
from gemba_walk.lean import (
    CLOSED_TICKET_STATUSES,
    DEFAULT_VERIFICATION_MODE,
    N_,
    TICKET_STATUSES,
    label_of,
)
from gemba_walk.tickets.models import TITLE_LENGTH, KaizenTicket, TicketEvent
from gemba_walk.walks.models import Layer, LayerMember

MAX_WHYS = 5
MAX_TEXT = 5000
GEMBA_SCAN_HOURS = 12  # a label scan this recent counts as "verified at the gemba"


class TicketError(DomainError):
    """A change that is not allowed or not valid; nothing was changed."""


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    from_statuses: tuple[str, ...]
    to_status: str
    who: str  # "worker" (owner or leader), "verifier" (see may_verify), "leader"
    needs_reason: bool = False
    done_words: str = ""  # the plain sentence shown once the step is taken


ACTIONS: dict[str, Action] = {
    action.key: action
    for action in (
        Action(
            "start",
            N_("Start work"),
            ("open", "reopened"),
            "in_progress",
            "worker",
            False,
            N_("Work started."),
        ),
        Action(
            "done",
            N_("Mark done"),
            ("in_progress",),
            "done",
            "worker",
            False,
            N_("Marked done. A leader now checks at the gemba that the fix holds."),
        ),
        Action(
            "verify",
            N_("Verify — the fix holds"),
            ("done",),
            "verified",
            "verifier",
            False,
            N_("Verified: the fix holds. The ticket is closed."),
        ),
        Action(
            "send_back",
            N_("Send back — it does not hold"),
            ("done",),
            "reopened",
            "leader",
            True,
            N_("Sent back to the owner with your reason."),
        ),
        Action(
            "reject",
            N_("Reject"),
            ("open", "in_progress", "reopened"),
            "rejected",
            "leader",
            True,
            N_("Rejected. The reason is on the ticket."),
        ),
        Action(
            "reopen",
            N_("Reopen"),
            ("verified", "rejected"),
            "reopened",
            "leader",
            True,
            N_("Reopened with your reason."),
        ),
    )
}

PDCA_FIELDS = ("problem", "whys", "root_cause", "countermeasure", "due_date", "check_result")
PDCA_FIELDS += ("standardize", "no_change_reason", "title")
# A changed field as the ticket's history names it ("Changed due date, severity.").
CHANGED_FIELD_WORDS = {
    "title": N_("title"),
    "problem": N_("problem"),
    "whys": N_("whys"),
    "root_cause": N_("root cause"),
    "countermeasure": N_("countermeasure"),
    "due_date": N_("due date"),
    "check_result": N_("check result"),
    "standardize": N_("standardize"),
    "no_change_reason": N_("why no standard changed"),
    "severity": N_("severity"),
}
# The PDCA text fields as a refusal names them (``_text``). "The standardize step", not
# "Standardize": that word is the 5S pillar's (Seiketsu) in the catalogs.
PDCA_FIELD_NAMES = {
    "title": N_("Title"),
    "problem": N_("Problem"),
    "root_cause": N_("Root cause"),
    "countermeasure": N_("Countermeasure"),
    "check_result": N_("Check result"),
    "standardize": N_("The standardize step"),
    "no_change_reason": N_("Why no standard change is needed"),
}


def is_worker(user: User, ticket: KaizenTicket) -> bool:
    """The owner, or a leader; anybody may take a ticket nobody owns."""
    return user.is_leader or ticket.owner_id in (None, user.id)


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


def may(user: User, ticket: KaizenTicket, action: Action) -> bool:
    if action.who == "worker":
        return is_worker(user, ticket)
    if action.who == "verifier":
        return may_verify(user, ticket)
    return user.is_leader


def available_actions(user: User, ticket: KaizenTicket) -> list[Action]:
    return [
        action
        for action in ACTIONS.values()
        if ticket.status in action.from_statuses and may(user, ticket, action)
    ]


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


def after_photo_count(ticket: KaizenTicket) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Photo.id)).where(
            Photo.ticket_id == ticket.id, Photo.role == "after"
        )
    )


def _event(ticket: KaizenTicket, actor: User, kind: str, **values) -> TicketEvent:
    event = TicketEvent(ticket=ticket, actor_id=actor.id, kind=kind, **values)
    db.session.add(event)
    ticket.updated_at = utcnow()
    return event


def _text(value, name: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TicketError(422, "invalid_value", _("%(what)s must be text.", what=_(name)))
    value = value.strip()
    if len(value) > limit:
        raise TicketError(
            422,
            "too_long",
            _("%(what)s is longer than %(limit)s characters.", what=_(name), limit=limit),
        )
    return value


def _scanned_recently(user: User, ticket: KaizenTicket, now: datetime) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(AreaScan.scanned_at)).where(
            AreaScan.user_id == user.id,
            AreaScan.area_id == ticket.area_id,
            AreaScan.scanned_at >= now - timedelta(hours=GEMBA_SCAN_HOURS),
        )
    )


def transition(
    ticket: KaizenTicket,
    user: User,
    action_key: str,
    reason: str = "",
    result: str = "",
    due_date: date | str | None = None,
    today: date | None = None,
) -> TicketEvent:
    """Move the ticket by ``action_key``; raises TicketError (and changes nothing) otherwise.

    Sending back or reopening takes a new due date (``due_date``); it is required when the
    old one has passed, so the ticket does not come back overdue at once."""
    action = ACTIONS.get(action_key)
    if action is None:
        raise TicketError(
            400, "unknown_action", _("There is no step called %(step)s.", step=repr(action_key))
        )
    if ticket.status not in action.from_statuses:
        status = label_of(TICKET_STATUSES, ticket.status)
        raise TicketError(
            409,
            "illegal_transition",
            _(
                "%(number)s is %(status)s: “%(step)s” is not possible now.",
                number=ticket.display_number,
                status=status.lower() if current_language() == "en" else status,
                step=_(action.label),
            ),
        )
    if not may(user, ticket, action):
        if action.who == "verifier" and ticket.owner_id == user.id:
            raise TicketError(
                403,
                "own_ticket",
                _("You own this ticket, so another leader verifies it (separation of duties)."),
            )
        if action.who == "worker":
            only = _("Only its owner or a leader can do “%(step)s”.", step=_(action.label))
        else:
            only = _("Only a leader can do “%(step)s”.", step=_(action.label))
        raise TicketError(403, "not_allowed", only)
    reason = _text(reason, N_("The reason"))
    result = _text(result, N_("The result"))
    if action.needs_reason and not reason:
        raise TicketError(
            422, "reason_required", _("Say why: “%(step)s” needs a reason.", step=_(action.label))
        )
    new_due = None
    if action.key in ("send_back", "reopen"):
        today = today or site_today(ticket.area.site)
        new_due = _parse_date(due_date)
        if new_due is None and ticket.due_date is not None and ticket.due_date < today:
            raise TicketError(
                422,
                "due_date_required",
                _(
                    "Give a new due date: the old one (%(date)s) has passed.",
                    date=format_date(ticket.due_date),
                ),
            )
        if new_due is not None and new_due < today:
            raise TicketError(422, "due_date_past", _("The new due date cannot be in the past."))
    if action.key == "verify" and not (
        ticket.standardize.strip() or ticket.no_change_reason.strip()
    ):
        # PDCA's Act: a closed ticket says which standard changed, or why none needed to.
        raise TicketError(
            422,
            "act_required",
            _(
                "Before it closes, fill in “Act”: which standard, checklist or visual control "
                "changed — or that no standard change is needed, and why."
            ),
        )
    if action.key == "done":
        if not ticket.countermeasure.strip():
            raise TicketError(
                422,
                "countermeasure_required",
                _("Write the countermeasure before marking done."),
            )
        if after_photo_count(ticket) == 0:
            raise TicketError(
                422,
                "after_photo_required",
                _("Add at least one “after” photo that shows the countermeasure in place."),
            )
    now = utcnow()
    body = reason
    changes = None
    from_status = ticket.status
    if action.key == "start" and ticket.owner_id is None:
        ticket.owner_id = user.id
        # History sentences are stored in English; rules.read_event_body reads them out.
        body = N_("%(name)s took the ticket.") % {"name": user.name}
    elif action.key == "done":
        ticket.done_at = now
    elif action.key == "verify":
        if result:
            ticket.check_result = result
        ticket.verified_by_id = user.id
        ticket.verified_at = now
        ticket.self_verified = ticket.owner_id == user.id
        scanned = _scanned_recently(user, ticket, now)
        ticket.verified_how = "scan" if scanned else "no_scan"
        ticket.verified_scan_at = scanned
        body = (
            N_("Verified at the gemba (label scanned %(when)s UTC).")
            % {"when": f"{scanned:%d %b %H:%M}"}
            if scanned
            else N_("Verified without a label scan.")
        )
        if ticket.self_verified:
            body += " " + N_("Self-verified by the owner (the site lets any leader verify).")
        if result:
            body += f" {result}"
    elif action.key == "reject":
        ticket.reject_reason = reason
    elif action.key in ("send_back", "reopen"):
        if new_due is not None and new_due != ticket.due_date:
            old_due = ticket.due_date.isoformat() if ticket.due_date else None
            changes = {"due_date": [old_due, new_due.isoformat()]}
            ticket.due_date = new_due
        # no longer verified: the history keeps who had verified it and when
        ticket.verified_by_id, ticket.verified_at, ticket.self_verified = None, None, False
        ticket.verified_how, ticket.verified_scan_at = None, None
    ticket.status = action.to_status
    event = _event(
        ticket,
        user,
        "status",
        from_status=from_status,
        to_status=action.to_status,
        body=body,
        changes=changes,
    )
    hooks.emit(
        STATUS_HOOKS[action.key],
        ticket=ticket,
        actor_id=user.id,
        message=_status_message(ticket, user, action, reason),
        from_status=from_status,
    )
    return event


# What each step tells (``gemba_walk.notify.audience`` decides who hears it).
STATUS_HOOKS = {
    "start": "ticket.started",
    "done": "ticket.done",
    "verify": "ticket.verified",
    "send_back": "ticket.sent_back",
    "reject": "ticket.rejected",
    "reopen": "ticket.reopened",
}


def _status_message(ticket: KaizenTicket, user: User, action: Action, reason: str) -> str:
    # said(): stored in English, read by each person in their own language
    values = {"number": ticket.display_number, "name": user.name}
    if action.key == "done":
        text = N_("%(number)s is done and waits for verification: %(title)s")
        return said(text, number=ticket.display_number, title=Problem(ticket.title))
    if action.key == "verify":
        text = N_("%(number)s was verified by %(name)s — the fix holds: %(title)s")
        return said(text, **values, title=Problem(ticket.title))
    if action.key == "send_back":
        return said(N_("%(number)s was sent back by %(name)s: %(reason)s"), **values, reason=reason)
    if action.key == "reopen":
        return said(N_("%(number)s was reopened by %(name)s: %(reason)s"), **values, reason=reason)
    if action.key == "reject":
        return said(N_("%(number)s was rejected by %(name)s: %(reason)s"), **values, reason=reason)
    return said(
        N_("%(number)s was started by %(name)s: %(title)s"), **values, title=Problem(ticket.title)
    )


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise TicketError(
            422, "invalid_date", _("%(value)s is not a date (YYYY-MM-DD).", value=repr(value))
        ) from error


def update_pdca(ticket: KaizenTicket, user: User, values: dict) -> TicketEvent | None:
    """Change the Plan-Do-Check-Act fields given in ``values``; records what changed."""
    if not is_worker(user, ticket):
        raise TicketError(
            403, "not_allowed", _("Only the ticket's owner or a leader can change its PDCA.")
        )
    if ticket.status in CLOSED_TICKET_STATUSES:
        raise TicketError(
            409, "closed", _("%(number)s is closed; reopen it first.", number=ticket.display_number)
        )
    unknown = set(values) - set(PDCA_FIELDS)
    if unknown:
        raise TicketError(
            400,
            "unknown_field",
            _("Unknown field(s): %(fields)s.", fields=", ".join(sorted(unknown))),
        )
    clean: dict = {}
    for name, value in values.items():
        if name == "whys":
            if not isinstance(value, list | tuple):
                raise TicketError(422, "invalid_value", _("The 5 Whys must be a list of answers."))
            whys = [_text(why, N_("A why"), 1000) for why in value]
            while whys and not whys[-1]:
                whys.pop()
            if len(whys) > MAX_WHYS:
                raise TicketError(422, "too_many_whys", _("Five whys at most."))
            if "" in whys:
                raise TicketError(
                    422,
                    "gap_in_whys",
                    _("Answer each “why?” in turn: one is empty in between."),
                )
            clean["whys"] = whys
        elif name == "due_date":
            clean["due_date"] = _parse_date(value)
        elif name == "title":
            title = " ".join(_text(value, N_("Title"), TITLE_LENGTH).split())
            if not title:
                raise TicketError(
                    422, "title_required", _("A ticket needs a title: say what was seen.")
                )
            clean["title"] = title
        else:
            clean[name] = _text(value, PDCA_FIELD_NAMES.get(name, name))
    if ticket.status == "done" and "countermeasure" in clean and not clean["countermeasure"]:
        raise TicketError(
            422,
            "countermeasure_required",
            _("A ticket marked done keeps its countermeasure; change it, do not empty it."),
        )
    changes = {}
    for name, new in clean.items():
        old = getattr(ticket, name)
        if name == "whys":
            old = old or []
        if old != new:
            changes[name] = [
                old.isoformat() if isinstance(old, date) else old,
                new.isoformat() if isinstance(new, date) else new,
            ]
            setattr(ticket, name, new)
    if not changes:
        return None
    if "problem" in changes and changes["problem"][1] and "title" not in clean:
        ticket.title = " ".join(clean["problem"].split())[:TITLE_LENGTH]
        ticket.title_edited = True  # the team's words: joining findings no longer rewrite it
    if "title" in changes:
        ticket.title_edited = True
    return _event(ticket, user, "fields", changes=changes)


def comment(
    ticket: KaizenTicket,
    user: User,
    body: str,
    kind: str = "comment",
    uuid: str | None = None,
    occurred_at: datetime | None = None,
) -> TicketEvent:
    """Anyone signed in may comment, or note a check at the gemba (append-only)."""
    if kind not in ("comment", "gemba_check"):
        raise TicketError(400, "unknown_kind", _("A note is a comment or a gemba check."))
    body = _text(body, N_("The comment"))
    if not body:
        raise TicketError(422, "empty_comment", _("Write something first."))
    return _event(ticket, user, kind, body=body, uuid=uuid, occurred_at=occurred_at)


def reassign(ticket: KaizenTicket, user: User, new_owner: User | None) -> TicketEvent:
    """Leaders and admins hand a ticket to someone else (users are not tied to sites yet, so a
    leader's sites are all sites)."""
    if not user.is_leader:
        raise TicketError(403, "not_allowed", _("Only a leader or an admin can reassign a ticket."))
    if new_owner is not None and not new_owner.is_active:
        raise TicketError(
            422, "inactive_user", _("%(name)s can no longer sign in.", name=new_owner.name)
        )
    old = ticket.owner
    if (old.id if old else None) == (new_owner.id if new_owner else None):
        raise TicketError(409, "same_owner", _("The ticket already belongs to them."))
    ticket.owner_id = new_owner.id if new_owner else None
    if new_owner is not None:
        hooks.emit(
            "ticket.assigned",
            ticket=ticket,
            actor_id=user.id,
            message=said(
                N_("%(number)s is now yours: %(title)s"),
                number=ticket.display_number,
                title=Problem(ticket.title),
            ),
        )
    return _event(
        ticket,
        user,
        "reassigned",
        changes={"owner": [old.name if old else None, new_owner.name if new_owner else None]},
    )


def check_may_add_photo(user: User, ticket: KaizenTicket) -> None:
    """Refuse anyone but the ticket's workers (a page checks before it stores the upload)."""
    if not is_worker(user, ticket):
        raise TicketError(403, "not_allowed", _("Only the ticket's owner or a leader adds photos."))


def record_after_photo(
    ticket: KaizenTicket, user: User, photo: Photo, original: Photo | None = None
) -> TicketEvent:
    """Attach an "after" photo; a marked-up one brings the photo as taken, kept beside it."""
    check_may_add_photo(user, ticket)
    if ticket.status in CLOSED_TICKET_STATUSES:
        raise TicketError(
            409, "closed", _("%(number)s is closed; reopen it first.", number=ticket.display_number)
        )
    photo.ticket_id = ticket.id
    photo.role = "after"
    if original is not None and original.id != photo.id:
        original.ticket_id = ticket.id
        original.role = "after"
        photo.original = original  # its id may not be flushed yet
    return _event(ticket, user, "photo", body=N_("Added an “after” photo."))
