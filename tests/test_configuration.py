"""Configuration from the environment; the database settings that keep SQLite safe."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

from gemba_walk.config import load_or_create_secret_key, normalise_database_url


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_or_create_secret_key(str(tmp_path))
    assert len(first) >= 40
    assert load_or_create_secret_key(str(tmp_path)) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("WAL, foreign keys and the busy timeout are SQLite settings")
    assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 10000


def test_foreign_keys_are_enforced(db):
    from gemba_walk.models import Area

    db.session.add(Area(site_id=987654, name="Orphan", code="X-1"))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:  # pragma: no cover - the test fails here
        raise AssertionError("an area without a site was stored")


def test_instance_config_file_overrides_environment(tmp_path, monkeypatch, database_url):
    from gemba_walk import create_app
    from gemba_walk.extensions import db

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("PUBLIC_BASE_URL = 'https://gemba.plant.example'\n")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://ignored.example/")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(instance))
    assert app.config["PUBLIC_BASE_URL"] == "https://gemba.plant.example"
    assert app.config["SECRET_KEY"] == "from-env"
    with app.app_context():
        db.engine.dispose()
