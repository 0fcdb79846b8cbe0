"""display mode per person

Revision ID: 0a6e80319e19
Revises: bc99f4b95087
Create Date: 2026-11-26 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0a6e80319e19"
down_revision = "bc99f4b95087"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("theme", sa.String(length=8), server_default="auto", nullable=False)
        )
        batch_op.add_column(
            sa.Column("large_text", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("large_text")
        batch_op.drop_column("theme")
