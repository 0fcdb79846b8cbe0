"""verification by the owner's own leader

Revision ID: d7f3b2a1c5e8
Revises: c4e1a7d2b9f0
Create Date: 2026-11-26 11:20:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d7f3b2a1c5e8"
down_revision = "c4e1a7d2b9f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sites_verification_mode_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_sites_verification_mode_known"),
            "verification_mode IN ('other_leader', 'leader_above', 'any_leader')",
        )


def downgrade():
    op.execute(
        "UPDATE sites SET verification_mode = 'other_leader' WHERE verification_mode = 'leader_above'"
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sites_verification_mode_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_sites_verification_mode_known"),
            "verification_mode IN ('other_leader', 'any_leader')",
        )
