"""Migrations are forward-only: `flask db downgrade` is not supported on a
populated database (SQLite cannot drop a referenced column without a table rebuild that trips
its foreign keys, and nothing in a plant needs to go back). What the project promises instead:
an instance at ANY earlier revision, with data in every table, upgrades to the latest one
without losing a row. This test proves it for every revision, on the suite's database."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from gemba_walk import PROJECT_ROOT, create_app
from gemba_walk.extensions import db as _db

SCRIPTS = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
HEAD = SCRIPTS.get_current_head()
EARLIER = [rev.revision for rev in SCRIPTS.walk_revisions() if rev.revision != HEAD]
ROWS = 2


def _allowed_values(table: sa.Table, inspector) -> dict[str, str]:
    """Column → the first value its CHECK (column IN (...)) constraint allows."""
    allowed = {}
    for check in inspector.get_check_constraints(table.name):
        # SQLite keeps "kind IN ('5s', ...)"; PostgreSQL "(kind)::text = ANY (ARRAY['5s'::...])".
        match = re.search(
            r"(\w+)\"?\)?(?:::\w+)?\s*(?:IN\s*\(|=\s*ANY\s*\(+ARRAY\[)\s*'([^']*)'",
            check["sqltext"],
            re.IGNORECASE,
        )
        if match:
            allowed[match.group(1)] = match.group(2)
    return allowed


def _value(column: sa.Column, n: int, allowed: dict[str, str]):
    if column.name in allowed:
        return allowed[column.name]
    if column.foreign_keys:
        return n  # row n points at row n of the referenced table (unique pairs stay unique)
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return n
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.0
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, n, 8, 0)
    if isinstance(kind, sa.Time):
        return time(8, n)
    if isinstance(kind, sa.Date):
        return date(2026, 1, n)
    if isinstance(kind, sa.LargeBinary):
        return f"{column.name} {n}".encode()
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String) and kind.length:
        return f"{column.name[:4]}{n}"[: kind.length]
    return f"{column.name} {n}"


def _fill_every_table(engine) -> dict[str, int]:
    """Two rows in every table of the schema as it is at this revision."""
    meta = sa.MetaData()
    meta.reflect(engine)
    inspector = sa.inspect(engine)
    counts = {}
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # cycles (ticket ↔ finding)
        else:
            connection.exec_driver_sql("SET session_replication_role = replica")
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            allowed = _allowed_values(table, inspector)
            rows = [
                {column.name: _value(column, n, allowed) for column in table.columns}
                for n in range(1, ROWS + 1)
            ]
            connection.execute(table.insert(), rows)
            counts[table.name] = ROWS
    return counts


@pytest.fixture
def blank_database(app, tmp_path):
    """A database of the suite's kind with nothing in it, and an app on it."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_migrations"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'migrations.db'}"
    other = create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": target}, instance_path=str(tmp_path / "i")
    )
    yield other
    with other.app_context():
        _db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.parametrize("revision", EARLIER)
def test_a_populated_database_at_an_earlier_revision_upgrades_without_losing_rows(
    blank_database, revision
):
    with blank_database.app_context():
        upgrade(revision=revision)
        before = _fill_every_table(_db.engine)
        upgrade()
        current = _db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert current == HEAD
        for table, rows in before.items():
            counted = _db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
            assert counted == rows, f"{table} lost rows upgrading from {revision}"
        _db.session.remove()


def _schema(engine) -> tuple[str, list[str]]:
    tables = sorted(sa.inspect(engine).get_table_names())
    with engine.connect() as connection:
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return revision, tables


@pytest.mark.parametrize("target", ["base", EARLIER[0], "-1"])
def test_a_downgrade_is_refused_before_any_step_runs_and_changes_nothing(
    blank_database, target, capfd
):
    """`flask db downgrade base` used to run the later migrations'
    downgrades on SQLite (tables gone, revision moved) before one of them refused."""
    with blank_database.app_context():
        upgrade()
        before = _schema(_db.engine)
        assert before[0] == HEAD and "walk_plan_areas" in before[1]
        with pytest.raises(SystemExit):  # Flask-Migrate's exit after the refusal (exit code 1)
            downgrade(revision=target)
        told = capfd.readouterr().err  # what `flask db downgrade` prints
        _db.engine.dispose()
        assert _schema(_db.engine) == before
        assert "Migrations are forward-only" in told and "database is unchanged" in told
        _db.session.remove()
