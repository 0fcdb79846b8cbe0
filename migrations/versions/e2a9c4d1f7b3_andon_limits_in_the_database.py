"""andon limits counted in the database

Revision ID: e2a9c4d1f7b3
Revises: e1a9c3f5b7d2
Create Date: 2026-12-07 20:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e2a9c4d1f7b3"
down_revision = "e1a9c3f5b7d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("andon_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("over_area_limit", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_andon_reports_address_key"), ["address_key"], unique=False
        )
        batch_op.create_index(
            "ix_andon_reports_area_received", ["area_id", "received_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("andon_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_andon_reports_area_received")
        batch_op.drop_index(batch_op.f("ix_andon_reports_address_key"))
        batch_op.drop_column("over_area_limit")
        batch_op.drop_column("address_key")
