"""a capture time from a phone clock running ahead: the phone's time kept beside the stored one

Revision ID: e5a9c3f1b2d4
Revises: d7f3b2a1c5e8
Create Date: 2026-12-07 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a9c3f1b2d4"
down_revision = "d7f3b2a1c5e8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("phone_submitted_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_observed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("phone_observed_at")
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_column("phone_submitted_at")
        batch_op.drop_column("phone_started_at")
