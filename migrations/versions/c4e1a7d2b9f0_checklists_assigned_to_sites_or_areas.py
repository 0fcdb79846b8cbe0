"""checklists assigned to sites or areas

Revision ID: c4e1a7d2b9f0
Revises: c4e1d2a7b916
Create Date: 2026-11-26 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e1a7d2b9f0"
down_revision = "c4e1d2a7b916"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("applies_to", sa.String(length=8), server_default="all", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_checklist_templates_applies_to_known"),
            "applies_to IN ('all', 'sites', 'areas')",
        )
    op.create_table(
        "checklist_template_sites",
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_checklist_template_sites_template_id_checklist_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_checklist_template_sites_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("template_id", "site_id", name=op.f("pk_checklist_template_sites")),
    )
    op.create_index(
        op.f("ix_checklist_template_sites_site_id"), "checklist_template_sites", ["site_id"]
    )
    op.create_table(
        "checklist_template_areas",
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_checklist_template_areas_template_id_checklist_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_checklist_template_areas_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("template_id", "area_id", name=op.f("pk_checklist_template_areas")),
    )
    op.create_index(
        op.f("ix_checklist_template_areas_area_id"), "checklist_template_areas", ["area_id"]
    )


def downgrade():
    op.drop_index(
        op.f("ix_checklist_template_areas_area_id"), table_name="checklist_template_areas"
    )
    op.drop_table("checklist_template_areas")
    op.drop_index(
        op.f("ix_checklist_template_sites_site_id"), table_name="checklist_template_sites"
    )
    op.drop_table("checklist_template_sites")
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_checklist_templates_applies_to_known"), type_="check")
        batch_op.drop_column("applies_to")
