"""a ticket says how it was verified (label scan or not) and why no standard changed

Revision ID: e7b3d5f9a1c4
Revises: e2a9c4d1f7b3
Create Date: 2026-12-07 20:45:00

"""

import re
from datetime import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7b3d5f9a1c4"
down_revision = "e2a9c4d1f7b3"
branch_labels = None
depends_on = None

SCANNED = re.compile(
    r"Verified at the gemba \(label scanned (\d{2} [A-Z][a-z]{2} \d{2}:\d{2}) UTC\)"
)


def upgrade():
    with op.batch_alter_table("kaizen_tickets", schema=None) as batch_op:
        # "scan" or "no_scan"; NULL for tickets verified before it was recorded (not known)
        batch_op.add_column(sa.Column("verified_how", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("verified_scan_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("no_change_reason", sa.Text(), nullable=False, server_default="")
        )
    # What the verification events already say, for tickets verified now.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT t.id, t.verified_at, e.body FROM kaizen_tickets t "
            "JOIN ticket_events e ON e.ticket_id = t.id "
            "WHERE t.status = 'verified' AND e.kind = 'status' AND e.to_status = 'verified' "
            "ORDER BY e.id"
        )
    ).all()
    latest = {ticket_id: (verified_at, body or "") for ticket_id, verified_at, body in rows}
    for ticket_id, (verified_at, body) in latest.items():
        found = SCANNED.match(body)
        how, scanned = None, None
        if found and verified_at is not None:
            verified = verified_at if isinstance(verified_at, datetime) else None
            year = verified.year if verified else 2000
            scanned = datetime.strptime(f"{year} {found.group(1)}", "%Y %d %b %H:%M")
            if verified and scanned > verified:  # scanned in December, verified in January
                scanned = scanned.replace(year=year - 1)
            how = "scan"
        elif body.startswith("Verified without a label scan."):
            how = "no_scan"
        if how:
            connection.execute(
                sa.text(
                    "UPDATE kaizen_tickets SET verified_how = :how, verified_scan_at = :scanned "
                    "WHERE id = :id"
                ),
                {"how": how, "scanned": scanned, "id": ticket_id},
            )


def downgrade():
    raise NotImplementedError("Migrations are forward-only: restore a backup instead.")
