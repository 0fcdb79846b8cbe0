"""The committed migrations and the models describe the same schema, on either database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gemba_walk.core.ids import new_uuid, utcnow
from gemba_walk.models import Area, Audit, ChecklistTemplate, Site, User


def test_models_match_the_migrations(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_field_records_are_unique_by_client_uuid(db):
    """Two syncs of the same audit cannot both be stored: the database refuses the second."""
    from gemba_walk.checklists.defaults import ensure_default_templates

    ensure_default_templates()
    user = User(email="a@b.c", name="A", role="leader", password_hash="x")
    area = Area(site=Site(name="S"), name="Area", code="A-1")
    version = db.session.scalar(sa.select(ChecklistTemplate)).published_version
    uuid = new_uuid()
    for _ in range(2):
        db.session.add(
            Audit(
                uuid=uuid,
                area=area,
                template_version=version,
                auditor=user,
                kind="5s",
                started_at=utcnow(),
                submitted_at=utcnow(),
            )
        )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_area_codes_are_unique_per_site_and_tokens_are_long(db):
    site = Site(name="S")
    first = Area(site=site, name="One", code="A-12")
    db.session.add(first)
    db.session.commit()
    assert len(first.qr_token) >= 32  # 192 random bits, URL-safe
    db.session.add(Area(site=site, name="Two", code="A-12"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Area(site=Site(name="Other"), name="Three", code="A-12"))
    db.session.commit()


def test_unknown_role_is_refused_by_the_database(db):
    db.session.add(User(email="x@y.z", name="X", role="boss", password_hash="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
