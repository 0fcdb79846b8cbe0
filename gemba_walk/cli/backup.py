"""Backups a plant can restore: one archive with the database, the photos and a manifest.

``flask backup`` writes ``gemba_walk-<time>.tar.gz`` (mode 600: it holds password hashes):

- ``manifest.json`` first: format, time, database kind and Alembic revision, and the SHA-256 and
  size of every other member;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app writes) or
  ``database.pgdump`` (``pg_dump --format=custom``: one consistent snapshot, restorable with
  ``pg_restore``);
- ``keys/vapid_private.pem``, the Web Push key, when the server has one;
- ``photos/…``, every stored photo and thumbnail. The database is copied first: a photo's file is
  written before its row is committed, so every photo the snapshot names is in the archive
  (files stored after the snapshot may be too; they are harmless).

``flask restore ARCHIVE`` checks every member against the manifest before it touches anything,
refuses an instance that already has data or photos, restores the database and the photos, then
upgrades the schema to this version's migrations.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.engine import URL, make_url

from gemba_walk.core.errors import RuleError
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify.channels.push import KEY_FILE, key_path

FORMAT = "gemba-walk-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(RuleError):
    """A backup or restore that cannot be done, with the reason in plain words."""

    error_code = "backup_refused"


@dataclass
class RestoreSummary:
    database: str
    photos: int
    revision: str | None


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _kind() -> str:
    kind = _url().get_backend_name()
    if kind not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {kind}.")
    return kind


def _photo_root() -> Path:
    return Path(current_app.config["PHOTO_STORAGE_PATH"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment,
    never on a command line other users can read."""
    args = ["--host", url.host or "localhost", "--dbname", url.database or ""]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} was not found; install the PostgreSQL client tools ({what})."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({what}): {result.stderr.strip()}")


def _revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None


def _snapshot_database(kind: str, target: Path) -> None:
    if kind == "sqlite":
        source = Path(_url().database)
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)  # consistent even while the app writes
        return
    args, env = _libpq(_url())
    _run(
        ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(target)],
        env,
        "database snapshot",
    )


def _photo_files() -> list[tuple[Path, str]]:
    root = _photo_root()
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".upload-"):  # half-written uploads
            found.append((path, str(PurePosixPath("photos", *path.relative_to(root).parts))))
    return found


def _key_files() -> list[tuple[Path, str]]:
    """The Web Push key (``instance/vapid_private.pem``): the phones' push subscriptions in the
    database were made for it, so a restored server without it could push to nobody."""
    path = key_path(current_app.instance_path)
    return [(path, f"keys/{KEY_FILE}")] if path.is_file() else []


def default_backup_path() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"gemba_walk-{stamp}.tar.gz"


def create_backup(destination: Path | None = None) -> Path:
    """Write the archive (mode 600) and return its path."""
    kind = _kind()
    target = Path(destination) if destination else default_backup_path()
    if target.exists():
        raise BackupError(f"{target} exists already; choose another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        database = Path(work) / DATABASE_FILES[kind]
        _snapshot_database(kind, database)
        members = [(database, DATABASE_FILES[kind]), *_photo_files(), *_key_files()]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": utcnow().isoformat() + "Z",
            "database": {"kind": kind, "file": DATABASE_FILES[kind], "revision": _revision()},
            "files": {},
        }
        for path, name in members:
            manifest["files"][name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = Path(work) / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            archive.add(manifest_path, MANIFEST)
            for path, name in members:
                archive.add(path, name)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return target


# --- restore ---------------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.next()  # written first, so the archive is read once, front to back
        if member is None or member.name != MANIFEST:
            raise KeyError(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError, tarfile.TarError) as error:
        raise BackupError(
            "This is not a Gemba Walk backup: it has no readable manifest."
        ) from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"This backup's format ({manifest.get('format')} {manifest.get('version')}) "
            "is not one this version can restore."
        )
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name not in ("", ".")


def _extract_checked(archive: tarfile.TarFile, manifest: dict, work: Path) -> None:
    """Extract every member into ``work``, checking each against the manifest as it comes."""
    expected = manifest["files"]
    seen = set()
    for member in archive:  # streams on from the manifest
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile() or not _safe_name(member.name):
            raise BackupError(f"The backup has a member its manifest does not list: {member.name}")
        target = work / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with archive.extractfile(member) as source, target.open("wb") as copy:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        if digest.hexdigest() != expected[member.name]["sha256"]:
            raise BackupError(
                f"The backup is damaged: {member.name} does not match its SHA-256 in the manifest."
            )
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The backup is incomplete: {', '.join(missing[:5])} missing.")


def instance_contents() -> list[str]:
    """What this instance already holds (tables with rows, photo files); empty when it is new."""
    found = []
    inspector = sa.inspect(db.engine)
    existing = set(inspector.get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in existing:
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(table))
            if rows:
                found.append(f"{rows} row(s) in {table.name}")
    db.session.rollback()
    photos = len(_photo_files())
    if photos:
        found.append(f"{photos} photo file(s) in {_photo_root()}")
    return found


def _restore_database(kind: str, dump: Path) -> None:
    if kind == "sqlite":
        db.session.remove()
        db.engine.dispose()
        target = Path(_url().database)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(dump, partial)
        for stale in (
            target.with_name(target.name + "-wal"),
            target.with_name(target.name + "-shm"),
        ):
            stale.unlink(missing_ok=True)
        os.replace(partial, target)
        return
    db.session.remove()
    db.engine.dispose()
    args, env = _libpq(_url())
    _run(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            str(dump),
        ],
        env,
        "database restore",
    )


def restore_backup(archive_path: Path) -> RestoreSummary:
    """Check the archive whole, then restore it into this (empty) instance."""
    kind = _kind()
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"There is no backup file at {archive_path}.")
    work_parent = Path(current_app.instance_path)
    work_parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = tarfile.open(archive_path, mode="r:gz")  # noqa: SIM115 — closed by the with below
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive_path} is not a readable .tar.gz backup.") from error
    with archive, tempfile.TemporaryDirectory(dir=work_parent, prefix=".restore-") as work:
        manifest = _read_manifest(archive)
        if manifest["database"]["kind"] != kind:
            raise BackupError(
                f"This backup holds a {manifest['database']['kind']} database; this instance "
                f"uses {kind}. Restore it into an instance of the same kind."
            )
        contents = instance_contents()
        if contents:
            raise BackupError(
                "This instance is not empty (" + "; ".join(contents[:4]) + "). "
                "Restore into a new, empty database and photo folder."
            )
        _extract_checked(archive, manifest, Path(work))  # all checked before anything changes
        _restore_database(kind, Path(work) / manifest["database"]["file"])
        photos = 0
        root = _photo_root()
        source_root = Path(work) / "photos"
        if source_root.exists():
            for path in sorted(source_root.rglob("*")):
                if path.is_file():
                    target = root / path.relative_to(source_root)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(path, target)
                    photos += 1
        key = Path(work) / "keys" / KEY_FILE
        if key.is_file():  # the backed-up server's key replaces one this instance made itself
            target = key_path(current_app.instance_path)
            shutil.move(key, target)
            os.chmod(target, 0o600)
    upgrade()  # a backup from an older version gets this version's schema
    return RestoreSummary(kind, photos, manifest["database"]["revision"])
