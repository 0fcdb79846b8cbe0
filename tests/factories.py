"""factory_boy factories for the models tests need; they commit, like the app does."""

from __future__ import annotations

from functools import lru_cache

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from gemba_walk.extensions import db
from gemba_walk.models import Area, Site, User

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


def demo_plant(runner) -> None:
    """The full demo plant (areas, eight weeks of audits and tickets), loaded by the CLI."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def demo_layout(app) -> None:
    """The demo plant's site, areas, people and checklists, without its weeks of history."""
    from gemba_walk.cli.demo import seed_demo

    seed_demo(app.instance_path, history=False)
