"""an andon report kept on a device offline carries its own id: a resend is the same report

Revision ID: e1a9c3f5b7d2
Revises: d7f3b2a1c5e8
Create Date: 2026-12-07 21:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1a9c3f5b7d2"
down_revision = "d7f3b2a1c5e8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("andon_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_uuid", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_andon_reports_client_uuid"), ["client_uuid"]
        )


def downgrade():
    with op.batch_alter_table("andon_reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_andon_reports_client_uuid"), type_="unique")
        batch_op.drop_column("client_uuid")
