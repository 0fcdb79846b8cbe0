"""Backups a plant can restore: `flask backup` writes one archive with a
consistent database snapshot, every photo and a manifest, readable by its owner only;
`flask restore` checks it whole and restores it into an empty instance, refusing anything else.
The round trip runs on the suite's database: SQLite (online backup API) or PostgreSQL
(pg_dump / pg_restore into a second database)."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gemba_walk import create_app
from gemba_walk.extensions import db as _db
from tests.conftest import AuthActions, DeviceClient
from tests.factories import demo_layout
from tests.sync_batches import batch, finding
from tests.test_photo_access import signed_in, status_of, upload


def table_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


def photo_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def plant(app, new_device):
    """The demo plant's layout, a leader's synced finding with two photos, one loose photo."""
    demo_layout(app)
    leader = signed_in(new_device, "leader")
    pack = leader.client.get("/api/v1/pack").json
    attached = [upload(leader), upload(leader, 800, 600)]
    loose = upload(leader, 320, 240)
    synced = leader.sync(batch(findings=[finding(pack["areas"][0], photos=attached)]))
    assert synced.status_code == 200
    _db.session.rollback()
    return {"leader": leader, "attached": attached, "loose": loose}


@pytest.fixture
def empty_instance(app, tmp_path):
    """A new instance of the same kind: its own database (nothing in it) and photo folder."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin_engine = None
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_restore"
        admin_engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'restored' / 'gemba_walk.db'}"
        (tmp_path / "restored").mkdir()
    other = create_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": target,
            "PHOTO_STORAGE_PATH": str(tmp_path / "restored-photos"),
        },
        instance_path=str(tmp_path / "restored-instance"),
    )
    yield other
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if admin_engine is not None:
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()


def back_up(runner, tmp_path) -> Path:
    target = tmp_path / "plant-backup.tar.gz"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output
    return target


def restore_into(instance, archive: Path):
    with instance.app_context():
        return instance.test_cli_runner().invoke(args=["restore", str(archive)])


def test_the_backup_is_one_archive_with_database_photos_and_manifest(app, plant, runner, tmp_path):
    archive = back_up(runner, tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds password hashes
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        assert names[0] == "manifest.json"
        manifest = json.load(opened.extractfile("manifest.json"))
        for name, entry in manifest["files"].items():
            data = opened.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["bytes"]
    kind = _db.engine.dialect.name
    assert manifest["database"]["kind"] == kind
    assert manifest["database"]["file"] in names
    assert manifest["database"]["revision"]
    stored = photo_files(Path(app.config["PHOTO_STORAGE_PATH"]))
    assert len(stored) == 6  # three photos, each with its thumbnail
    assert {f"photos/{name}" for name in stored} == {n for n in names if n.startswith("photos/")}
    assert set(names) == {"manifest.json", *manifest["files"]}
    refused = runner.invoke(args=["backup", str(archive)])
    assert refused.exit_code != 0 and "exists already" in refused.output


def test_a_backup_restores_into_an_empty_instance(app, plant, runner, tmp_path, empty_instance):
    from gemba_walk.notify.channels.push import key_path, load_or_create_vapid

    load_or_create_vapid(app.instance_path)  # the server has pushed to phones
    load_or_create_vapid(empty_instance.instance_path)  # the new one made its own key at start
    archive = back_up(runner, tmp_path)
    before = table_counts()
    photos_before = photo_files(Path(app.config["PHOTO_STORAGE_PATH"]))

    result = restore_into(empty_instance, archive)
    assert result.exit_code == 0, result.output
    assert "6 photo file(s)" in result.output

    with empty_instance.app_context():
        assert table_counts() == before
        _db.session.remove()
    restored_photos = photo_files(Path(empty_instance.config["PHOTO_STORAGE_PATH"]))
    assert restored_photos == photos_before
    # The phones' push subscriptions were made for the old server's key: it comes back too.
    restored_key = key_path(empty_instance.instance_path)
    assert restored_key.read_bytes() == key_path(app.instance_path).read_bytes()
    assert stat.S_IMODE(restored_key.stat().st_mode) == 0o600
    # The leader signs in on the restored server and sees the finding's photo.
    device = DeviceClient(empty_instance, empty_instance.response_class)
    email = plant["leader"].client.get("/api/v1/me").json["user"]["email"]
    assert AuthActions(device).login(email).status_code == 302
    assert status_of(device, f"/api/v1/photos/{plant['attached'][0]}") == 200


def test_restore_refuses_an_instance_that_has_data(app, plant, runner, tmp_path):
    archive = back_up(runner, tmp_path)
    before = table_counts()
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code != 0
    assert "This instance is not empty" in result.output
    assert "Restore into a new, empty database and photo folder." in result.output
    _db.session.rollback()
    assert table_counts() == before


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    app, plant, runner, tmp_path, empty_instance
):
    archive = back_up(runner, tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    victim = None
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if victim is None and member.name.endswith(".thumb.jpg"):
                data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
                victim = member.name
            copy.addfile(member, io.BytesIO(data))
    result = restore_into(empty_instance, damaged)
    assert result.exit_code != 0
    assert f"The backup is damaged: {victim} does not match its SHA-256" in result.output
    with empty_instance.app_context():
        assert sa.inspect(_db.engine).get_table_names() == []
        _db.engine.dispose()
    assert photo_files(Path(empty_instance.config["PHOTO_STORAGE_PATH"])) == {}

    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as other:
        other.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
    refused = restore_into(empty_instance, not_a_backup)
    assert refused.exit_code != 0
    assert "This is not a Gemba Walk backup" in refused.output
