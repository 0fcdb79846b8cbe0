"""checklist versions keep their own name

Revision ID: 8095aff5968b
Revises: 4389c5b4522b
Create Date: 2026-11-25 18:54:21.605097

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8095aff5968b"
down_revision = "4389c5b4522b"
branch_labels = None
depends_on = None


def upgrade():
    # Added nullable, filled from each version's template, then made required.
    with op.batch_alter_table("checklist_template_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
    op.execute(
        "UPDATE checklist_template_versions SET "
        "name = (SELECT name FROM checklist_templates t WHERE t.id = template_id), "
        "description = (SELECT description FROM checklist_templates t WHERE t.id = template_id)"
    )
    with op.batch_alter_table("checklist_template_versions", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=120), nullable=False)
        batch_op.alter_column("description", existing_type=sa.Text(), nullable=False)


def downgrade():
    with op.batch_alter_table("checklist_template_versions", schema=None) as batch_op:
        batch_op.drop_column("description")
        batch_op.drop_column("name")
