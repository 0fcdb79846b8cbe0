"""The andon's operations: an area opens it, someone without an account reports, a leader
accepts (a finding and its ticket, through the same rules as any finding) or dismisses."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from gemba_walk.andon import limits
from gemba_walk.andon.models import AndonReport
from gemba_walk.andon.urgency import URGENT_CATEGORIES, is_urgent
from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Photo
from gemba_walk.audits.photos import PhotoStore, prepare_image, sha256_hex
from gemba_walk.auth.models import User
from gemba_walk.core import hooks
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import new_uuid, utcnow
from gemba_walk.extensions import db
from gemba_walk.findings.operations import NewFinding, record_finding
from gemba_walk.lean import ABNORMALITY_CATEGORIES, SEVERITIES, keys
from gemba_walk.tickets import history
from gemba_walk.tickets.rules import TicketOutcome

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 2000
MAX_NAME = 120


class AndonError(RuleError):
    """An andon report, or a decision on one, that cannot be taken as it is."""

    error_code = "andon_refused"


class AndonLimited(AndonError):
    """Too many reports from this address, or from everyone at this area (andon/limits.py)."""

    status_code = 429
    error_code = "andon_limited"


class AlreadyDecided(AndonError):
    status_code = 409
    error_code = "andon_already_decided"


@dataclass(frozen=True)
class ReportDetails:
    category: str
    description: str
    reporter_name: str = ""
    photo: bytes | None = None
    client_uuid: str | None = None  # set by a device that kept the report offline
    address: str = ""  # the client's, for the limits (kept only as a keyed hash)


def set_andon(area: Area, enabled: bool, acting: User) -> Area:
    """Open or close the area's andon to people who are not signed in."""
    with write_transaction():
        db.session.add(area)
        area.andon_enabled = enabled
    logger.info(
        "Andon of area %s turned %s by user %s", area.id, "on" if enabled else "off", acting.id
    )
    return area


def andon_area(token: str) -> Area | None:
    """The active area this label belongs to, whether its andon is on or not."""
    return db.session.scalar(sa.select(Area).where(Area.qr_token == token, Area.active))


def _too_many() -> AndonLimited:
    return AndonLimited(
        _(
            "Many problems were just reported from here. Thank you — wait a few minutes and "
            "try again, or tell a leader in person."
        )
    )


def _admit(area: Area, key: str) -> limits.Decision:
    """Inside the write transaction: the limits, counted in the database (andon/limits.py)."""
    return limits.decide(area, key, utcnow(), lock=True)


def report_at_andon(area: Area, details: ReportDetails, store: PhotoStore) -> AndonReport:
    """Keep a report for triage, within the limits per address and per area (AndonLimited).
    Its photo is checked by content and re-encoded like every upload (PhotoError: not an
    image, too many pixels...) before anything is stored. A report in an urgent category
    (Safety) tells the area's leaders at once, before triage (the ``andon.reported`` hook)."""
    if not area.andon_enabled or not area.active:
        raise AndonError(_("Reporting a problem from the label is not enabled here."))
    description = " ".join(details.description.split()) if details.description else ""
    if not description:
        raise AndonError(_("Write what you saw: a report needs a few words."))
    if len(description) > MAX_DESCRIPTION:
        raise AndonError(_("Keep it under %(count)s characters, please.", count=MAX_DESCRIPTION))
    if details.category not in keys(ABNORMALITY_CATEGORIES):
        raise AndonError(_("Choose what kind of problem it is."))
    key = limits.address_key(details.address)
    with write_transaction():  # before the photo's work; counted again when it is stored
        allowed = _admit(area, key).allowed
    if not allowed:
        raise _too_many()
    report = AndonReport(
        area_id=area.id,
        category=details.category,
        description=description,
        reporter_name=" ".join((details.reporter_name or "").split())[:MAX_NAME],
        status="new",
        address_key=key,
        client_uuid=details.client_uuid,
    )
    if details.photo:
        full, thumb, (width, height) = prepare_image(details.photo)
        stored = sha256_hex(full)
        store.write(stored, "full", full)
        store.write(stored, "thumb", thumb)
        report.photo_sha256 = stored
        report.photo_original_sha256 = sha256_hex(details.photo)
        report.photo_width, report.photo_height, report.photo_byte_size = width, height, len(full)
    with write_transaction():
        decision = _admit(area, key)
        if decision.allowed:
            report.received_at = utcnow()
            report.over_area_limit = decision.over_area_limit
            db.session.add(report)
            db.session.flush()
            if is_urgent(report.category):
                hooks.emit("andon.reported", report=report, area=area)
    if not decision.allowed:
        raise _too_many()
    logger.info("Andon report %s received for area %s", report.id, area.id)
    return report


def report_by_client_uuid(client_uuid: str | None) -> AndonReport | None:
    """The report a device already sent under this id, if any (a resend after a lost answer)."""
    if not client_uuid:
        return None
    return db.session.scalar(sa.select(AndonReport).where(AndonReport.client_uuid == client_uuid))


def waiting_reports(leader: User | None = None) -> list[AndonReport]:
    """Reports no leader has decided on yet: those of the leader's own areas first, then the
    others, oldest first within each."""
    own_first = (
        sa.case((Area.owner_id == leader.id, 0), else_=1) if leader is not None else sa.literal(1)
    )
    return list(
        db.session.scalars(
            sa.select(AndonReport)
            .join(Area, Area.id == AndonReport.area_id)
            .where(AndonReport.status == "new")
            .order_by(own_first, AndonReport.received_at, AndonReport.id)
        )
    )


def recently_decided(limit: int = 20) -> list[AndonReport]:
    return list(
        db.session.scalars(
            sa.select(AndonReport)
            .where(AndonReport.status != "new")
            .order_by(AndonReport.decided_at.desc(), AndonReport.id.desc())
            .limit(limit)
        )
    )


def count_waiting(*, urgent: bool | None = None) -> int:
    """Reports waiting for triage; ``urgent`` False counts only those that can wait."""
    query = sa.select(sa.func.count()).select_from(AndonReport).where(AndonReport.status == "new")
    if urgent is not None:
        in_urgent = AndonReport.category.in_(URGENT_CATEGORIES)
        query = query.where(in_urgent if urgent else ~in_urgent)
    return db.session.scalar(query) or 0


def urgent_waiting() -> list[AndonReport]:
    """Waiting reports that cannot wait (Safety), newest first: Home shows each as an andon."""
    return list(
        db.session.scalars(
            sa.select(AndonReport)
            .where(AndonReport.status == "new", AndonReport.category.in_(URGENT_CATEGORIES))
            .order_by(AndonReport.received_at.desc(), AndonReport.id.desc())
        )
    )


def _claim(report: AndonReport) -> None:
    """Inside the write transaction: the report must still be waiting (two leaders at once)."""
    lock(report)
    if report.status != "new":
        raise AlreadyDecided(_("Another leader has already decided on this report."))


def _finding_of(report: AndonReport, leader: User, severity: str) -> NewFinding:
    """The finding an accepted report becomes, with its photo (read under the claim's lock)."""
    photos = []
    if report.photo_sha256:
        photos.append(
            Photo(
                uuid=new_uuid(),
                sha256=report.photo_original_sha256 or report.photo_sha256,
                stored_sha256=report.photo_sha256,
                content_type="image/jpeg",
                width=report.photo_width or 0,
                height=report.photo_height or 0,
                byte_size=report.photo_byte_size or 0,
                uploaded_by_id=leader.id,
            )
        )
    return NewFinding(
        area_id=report.area_id,
        kind="abnormality",
        category=report.category,
        severity=severity,
        description=report.description,
        observed_at=report.received_at,
        photos=photos,
    )


def accept_report(report: AndonReport, leader: User, severity: str) -> TicketOutcome:
    """Turn the report into an abnormality finding (its photo with it) and apply the ticket
    rules, as for a finding from a phone; the ticket's history says it came from the andon."""
    if severity not in keys(SEVERITIES):
        raise AndonError(_("Choose how serious it is."))
    with write_transaction():
        _claim(report)
        # The leader vouches for it; the reporter is named on the ticket.
        recorded = record_finding(leader, _finding_of(report, leader, severity))
        outcome = recorded.ticket
        history.record(
            outcome.ticket,
            "andon_report",
            leader.id,
            occurred_at=report.received_at,
            report=report.id,
            reporter=report.reporter_name,
        )
        report.status = "accepted"
        report.decided_by_id = leader.id
        report.decided_at = utcnow()
        report.finding_id = recorded.finding.id
        report.ticket_id = outcome.ticket.id
    logger.info(
        "Andon report %s accepted by user %s: %s %s",
        report.id,
        leader.id,
        outcome.ticket.display_number,
        outcome.outcome,
    )
    return outcome


def dismiss_report(report: AndonReport, leader: User, reason: str) -> AndonReport:
    """Close a report without a ticket; the reason is kept for whoever looks later."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise AndonError(_("Say why it is dismissed, for whoever reads it later."))
    with write_transaction():
        _claim(report)
        report.status = "dismissed"
        report.dismiss_reason = reason[:MAX_DESCRIPTION]
        report.decided_by_id = leader.id
        report.decided_at = utcnow()
    logger.info("Andon report %s dismissed by user %s", report.id, leader.id)
    return report


def forget_old_photos(store: PhotoStore, older_than: timedelta) -> int:
    """Photos of reports received more than ``older_than`` ago, decided or not (an undecided
    report must not keep ~1 MB forever): the report keeps its words and decision, the file goes
    (unless a finding's photo — an accepted report's — or another report uses the same bytes).
    Returns how many reports lost their photo."""
    cutoff = utcnow() - older_than
    with write_transaction():
        reports = list(
            db.session.scalars(
                sa.select(AndonReport).where(
                    AndonReport.photo_sha256.is_not(None), AndonReport.received_at < cutoff
                )
            )
        )
        digests = {report.photo_sha256 for report in reports}
        for report in reports:
            report.photo_sha256 = report.photo_original_sha256 = None
            report.photo_width = report.photo_height = report.photo_byte_size = None
    if not digests:
        return 0
    used = set(
        db.session.scalars(sa.select(Photo.stored_sha256).where(Photo.stored_sha256.in_(digests)))
    ) | set(
        db.session.scalars(
            sa.select(AndonReport.photo_sha256).where(AndonReport.photo_sha256.in_(digests))
        )
    )
    for digest in digests - used:
        for variant in ("full", "thumb"):
            store.path(digest, variant).unlink(missing_ok=True)
    logger.info("Photos of %s old andon report(s) removed", len(reports))
    return len(reports)
