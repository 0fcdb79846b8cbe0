"""factory_boy factories for the models tests need; they commit, like the app does."""

from __future__ import annotations

import uuid
from functools import lru_cache

import factory
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.models import (
    Area,
    Audit,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    Finding,
    KaizenTicket,
    Site,
    User,
)
from gemba_walk.tickets.numbering import next_ticket_number

DEFAULT_PASSWORD = "correct-horse-battery"


@lru_cache(maxsize=1)
def _default_password_hash() -> str:
    # Hashing is deliberately slow; every factory user shares one hash of the default password.
    return generate_password_hash(DEFAULT_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@plant.example")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = "member"
    active = True
    password_hash = factory.LazyFunction(_default_password_hash)


class SiteFactory(BaseFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Plant {n}")


class AreaFactory(BaseFactory):
    class Meta:
        model = Area

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"A-{n:02d}")
    owner = factory.SubFactory(UserFactory)


def default_five_s_version() -> ChecklistTemplateVersion:
    """The default 5S checklist's latest version, created with the other defaults if missing."""
    from gemba_walk.checklists.defaults import ensure_default_templates

    ensure_default_templates()
    db.session.commit()
    template = db.session.scalar(sa.select(ChecklistTemplate).filter_by(key="5s-audit"))
    return template.versions[-1]


def _new_uuid() -> str:
    return str(uuid.uuid4())


class AuditFactory(BaseFactory):
    """A submitted 5S audit on the default checklist (no responses; add them when needed)."""

    class Meta:
        model = Audit

    uuid = factory.LazyFunction(_new_uuid)
    area = factory.SubFactory(AreaFactory)
    template_version = factory.LazyFunction(default_five_s_version)
    auditor = factory.SubFactory(UserFactory)
    kind = "5s"
    submitted_at = factory.LazyFunction(utcnow)
    started_at = factory.LazyAttribute(lambda audit: audit.submitted_at)


class FindingFactory(BaseFactory):
    """An abnormality seen now at a new area, with no ticket yet."""

    class Meta:
        model = Finding

    uuid = factory.LazyFunction(_new_uuid)
    area = factory.SubFactory(AreaFactory)
    kind = "abnormality"
    category = "safety"
    severity = "medium"
    description = "seen"
    reported_by = factory.SubFactory(UserFactory)
    observed_at = factory.LazyFunction(utcnow)


class TicketFactory(BaseFactory):
    """An open kaizen ticket numbered from the real counter, so numbers never collide."""

    class Meta:
        model = KaizenTicket

    number = factory.LazyFunction(next_ticket_number)
    area = factory.SubFactory(AreaFactory)
    kind = "abnormality"
    category = "safety"
    title = factory.Sequence(lambda n: f"Problem {n}")
    status = "open"


def demo_plant(runner) -> None:
    """The full demo plant (areas, eight weeks of audits and tickets), loaded by the CLI."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def demo_layout(app) -> None:
    """The demo plant's site, areas, people and checklists, without its weeks of history."""
    from gemba_walk.cli.demo import seed_demo

    seed_demo(app.instance_path, history=False)
