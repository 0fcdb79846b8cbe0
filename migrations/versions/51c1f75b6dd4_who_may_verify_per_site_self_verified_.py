"""who may verify per site, self-verified tickets

Revision ID: 51c1f75b6dd4
Revises: b7ba15d08c93
Create Date: 2026-11-26 07:40:16.733391

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "51c1f75b6dd4"
down_revision = "b7ba15d08c93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kaizen_tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("self_verified", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "verification_mode",
                sa.String(length=24),
                server_default="other_leader",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_sites_verification_mode_known"),
            "verification_mode IN ('other_leader', 'any_leader')",
        )


def downgrade():
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sites_verification_mode_known"), type_="check")
        batch_op.drop_column("verification_mode")

    with op.batch_alter_table("kaizen_tickets", schema=None) as batch_op:
        batch_op.drop_column("self_verified")
