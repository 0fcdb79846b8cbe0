"""a ticket's title kept current as findings join, unless the team wrote it

Revision ID: f2c8d4e6a1b3
Revises: e5a9c3f1b2d4
Create Date: 2026-12-07 21:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2c8d4e6a1b3"
down_revision = "e5a9c3f1b2d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kaizen_tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_edited", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("kaizen_tickets", schema=None) as batch_op:
        batch_op.drop_column("title_edited")
