"""ticket history as a kind and its values (JSON), written out in the reader's language

Until now a history event kept an English sentence (``body``) beside a coarse kind, a from and
to status and ``changes``; the app read the sentences back with regular expressions to say them
in other languages. This converts every stored event to a kind (a stable message id) and its
values (``data``), reading the sentences with those regular expressions one last time (copied
here as they were; the app no longer has them), then drops the old columns. A sentence no
expression reads is kept whole as a ``note`` (with the statuses it moved between): nothing is
lost.

Revision ID: b3f7a1c9d5e2
Revises: e7b3d5f9a1c4
Create Date: 2026-12-08 00:20:00

"""

import re
from datetime import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3f7a1c9d5e2"
down_revision = "e7b3d5f9a1c4"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "created",
    "status",
    "comment",
    "gemba_check",
    "fields",
    "reassigned",
    "occurrence",
    "recurred",
    "photo",
)
NEW_KINDS = (
    "opened",
    "status_changed",
    "taken",
    "verified",
    "back_to_team",
    "recurred",
    "seen_again",
    "seen_before_verification",
    "severity_raised",
    "fields_changed",
    "owner_set",
    "comment",
    "gemba_check",
    "andon_report",
    "after_photo",
    "note",
)

# The sentences as the app wrote them, and the expressions it read them with (tickets/rules.py).
BACK_TO_TEAM = "Seen again before verification — back to the team."
AFTER_PHOTO = "Added an “after” photo."
SEEN_AGAIN = re.compile(r"Seen again \((\d+)(?:st|nd|rd|th) occurrence\): (.*)", re.S)
RECURRED = re.compile(r"Recurred — the countermeasure did not hold: (.*)", re.S)
SEEN_BEFORE = re.compile(
    r"Seen before the verification \(captured (\d{2} [A-Z][a-z]{2} \d{2}:\d{2}) UTC\): (.*)", re.S
)
TOOK = re.compile(r"(.+) took the ticket\.", re.S)
VERIFIED = re.compile(
    r"(?:Verified without a label scan\."
    r"|Verified at the gemba \(label scanned (\d{2} [A-Z][a-z]{2} \d{2}:\d{2}) UTC\)\.)"
    r"( Self-verified by the owner \(the site lets any leader verify\)\.)?(?: (.*))?",
    re.S,
)
STORED_DATE = r"(\d{2} [A-Z][a-z]{2} \d{4})"
MORE_SERIOUS = re.compile(
    r"A more serious occurrence: severity raised from (.+?) to (.+?)"
    rf"(?:; due date brought forward to {STORED_DATE}(?: \(was {STORED_DATE}\))?)?\."
)
# The severities' English labels then (lean.SEVERITIES), for a sentence without ``changes``.
SEVERITY_KEYS = {
    "Low": "low",
    "Medium": "medium",
    "High": "high",
    "Critical / safety": "critical",
}

events = sa.table(
    "ticket_events",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("from_status", sa.String),
    sa.column("to_status", sa.String),
    sa.column("changes", sa.JSON),
    sa.column("body", sa.Text),
    sa.column("occurred_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
    sa.column("data", sa.JSON),
)


def _moment(stored: str, near: datetime | None) -> str:
    """'26 Nov 08:33' (no year) as an ISO moment: the year of ``near`` (when it was written),
    one earlier if that would put it after ``near`` (seen in December, written in January)."""
    year = near.year if isinstance(near, datetime) else 2000
    at = datetime.strptime(f"{year} {stored}", "%Y %d %b %H:%M")
    if isinstance(near, datetime) and at > near.replace(second=59):
        at = at.replace(year=year - 1)
    return at.isoformat()


def _day(stored: str | None) -> str | None:
    return datetime.strptime(stored, "%d %b %Y").date().isoformat() if stored else None


def _moved(row) -> dict:
    return {
        name: value
        for name, value in (("from", row.from_status), ("to", row.to_status))
        if value is not None
    }


def _note(row) -> tuple[str, dict]:
    """A sentence no expression reads: kept whole, with what else the event had."""
    data = {**_moved(row), "text": row.body or ""}
    if row.changes:
        data["changes"] = row.changes
    return "note", data


def _status(row) -> tuple[str, dict]:
    body = row.body or ""
    moved = _moved(row)
    if body == BACK_TO_TEAM:
        return "back_to_team", moved
    if row.to_status == "verified" and (found := VERIFIED.fullmatch(body)):
        scanned, self_verified, result = found.groups()
        data = {**moved, "how": "scan" if scanned else "no_scan"}
        if scanned:
            data["scanned_at"] = _moment(scanned, row.created_at)
        data["self_verified"] = bool(self_verified)
        if result:
            data["result"] = result
        return "verified", data
    if row.to_status == "in_progress" and (found := TOOK.fullmatch(body)):
        return "taken", {**moved, "name": found.group(1)}
    data = dict(moved)
    if body:
        data["reason"] = body  # the person's own words (a reason, a result)
    due = (row.changes or {}).get("due_date")
    if due:
        data["due_date"] = due
    return "status_changed", data


def _more_serious(row, found) -> tuple[str, dict]:
    was, now, due, old_due = found.groups()
    changes = row.changes or {}
    data = {
        "severity": changes.get("severity")
        or [SEVERITY_KEYS.get(was, was), SEVERITY_KEYS.get(now, now)]
    }
    if changes.get("due_date") or due:
        data["due_date"] = changes.get("due_date") or [_day(old_due), _day(due)]
    return "severity_raised", data


def _occurrence(row) -> tuple[str, dict]:
    body = row.body or ""
    if found := SEEN_AGAIN.fullmatch(body):
        return "seen_again", {"occurrence": int(found.group(1)), "text": found.group(2)}
    if found := SEEN_BEFORE.fullmatch(body):
        near = row.occurred_at or row.created_at
        captured = _moment(found.group(1), near)
        if isinstance(row.occurred_at, datetime) and row.occurred_at.replace(
            second=0, microsecond=0
        ) == datetime.fromisoformat(captured):
            captured = row.occurred_at.replace(microsecond=0).isoformat()  # to the second
        return "seen_before_verification", {"captured": captured, "text": found.group(2)}
    return _note(row)


def convert(row) -> tuple[str, dict]:
    """One stored event as (kind, data)."""
    body = row.body or ""
    changes = row.changes or {}
    if row.kind == "created":
        return "opened", {"text": body}
    if row.kind == "status":
        return _status(row)
    if row.kind == "occurrence":
        return _occurrence(row)
    if row.kind == "recurred" and (found := RECURRED.fullmatch(body)):
        return "recurred", {**_moved(row), "text": found.group(1)}
    if row.kind == "fields":
        if found := MORE_SERIOUS.fullmatch(body):
            return _more_serious(row, found)
        if not body:
            return "fields_changed", {"fields": changes}
    if row.kind == "reassigned" and not body and isinstance(changes.get("owner"), list):
        return "owner_set", {"owner": changes["owner"]}
    if row.kind == "photo" and body == AFTER_PHOTO:
        return "after_photo", {}
    if row.kind == "comment" and "andon_report" in changes:
        data = {"report": changes["andon_report"], "reporter": changes.get("reporter")}
        if body:
            data["text"] = body
        return "andon_report", data
    if row.kind in ("comment", "gemba_check") and not changes:
        return row.kind, {"text": body}
    return _note(row)


def upgrade():
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ticket_events_kind_known"), type_="check")
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=16), type_=sa.String(length=32)
        )
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))
    connection = op.get_bind()
    last = 0
    while True:  # in pages, so a plant's years of history never sit in memory at once
        rows = connection.execute(
            sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(2000)
        ).all()
        if not rows:
            break
        changed = []
        for row in rows:
            kind, data = convert(row)
            changed.append({"event_id": row.id, "new_kind": kind, "new_data": data})
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("event_id"))
            .values(kind=sa.bindparam("new_kind"), data=sa.bindparam("new_data")),
            changed,
        )
        last = rows[-1].id
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("from_status")
        batch_op.drop_column("to_status")
        batch_op.drop_column("changes")
        batch_op.drop_column("body")
        batch_op.create_check_constraint(
            op.f("ck_ticket_events_kind_known"),
            "kind IN (" + ", ".join(f"'{kind}'" for kind in NEW_KINDS) + ")",
        )


def downgrade():
    raise NotImplementedError("Migrations are forward-only: restore a backup instead.")
