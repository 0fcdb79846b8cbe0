"""photo markup keeps the original; the auditor's drawn signature on the audit

Revision ID: c4e1d2a7b916
Revises: 935abc3928a0
Create Date: 2026-11-26 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e1d2a7b916"
down_revision = "935abc3928a0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_photos_original_id"), ["original_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_original_id_photos"), "photos", ["original_id"], ["id"]
        )
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature_png", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("signature_sha256", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_column("signature_sha256")
        batch_op.drop_column("signature_png")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_photos_original_id_photos"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_photos_original_id"), type_="unique")
        batch_op.drop_column("original_id")
