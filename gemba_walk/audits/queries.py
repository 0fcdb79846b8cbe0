"""Read-only questions about audits."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.audits.models import Audit
from gemba_walk.checklists.models import ChecklistTemplateVersion
from gemba_walk.extensions import db


def audit_counts_by_template() -> dict[int, int]:
    """How many audits each checklist template has, by template id."""
    return dict(
        db.session.execute(
            sa.select(ChecklistTemplateVersion.template_id, sa.func.count(Audit.id))
            .join(Audit, Audit.template_version_id == ChecklistTemplateVersion.id)
            .group_by(ChecklistTemplateVersion.template_id)
        ).all()
    )


def audit_counts_by_version(version_ids: list[int]) -> dict[int, int]:
    """How many audits used each of these checklist versions, by version id."""
    return dict(
        db.session.execute(
            sa.select(Audit.template_version_id, sa.func.count(Audit.id))
            .where(Audit.template_version_id.in_(version_ids))
            .group_by(Audit.template_version_id)
        ).all()
    )
