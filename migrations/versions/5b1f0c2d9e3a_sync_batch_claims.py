"""A sync batch is claimed before it is stored: its answer is empty until then

Revision ID: 5b1f0c2d9e3a
Revises: 8095aff5968b
Create Date: 2026-11-26 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b1f0c2d9e3a"
down_revision = "8095aff5968b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sync_batches", schema=None) as batch_op:
        batch_op.alter_column("response", existing_type=sa.JSON(), nullable=True)


def downgrade():
    op.execute("DELETE FROM sync_batches WHERE response IS NULL")
    with op.batch_alter_table("sync_batches", schema=None) as batch_op:
        batch_op.alter_column("response", existing_type=sa.JSON(), nullable=False)
