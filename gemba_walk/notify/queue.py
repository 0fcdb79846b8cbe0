"""The job queue: Huey, on SQLite in instance/ by default, on Redis when REDIS_URL is set.

One Huey object holds the tasks; ``configure(app)`` points it at the storage the settings name
(so the web server and `flask run-jobs` agree), and tasks run inside the app bound by
``bind(app)`` in the consumer. ``HUEY_STORAGE=memory`` (the tests' default) keeps enqueued
jobs in the process, where nobody consumes them: tests run the jobs' functions themselves, or
start a real consumer on SQLite or Redis storage.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from gemba_walk.extensions import db

huey = Huey("gemba_walk", storage_class=MemoryStorage, utc=True)
_app: Flask | None = None


def storage_settings(config) -> tuple[type, dict, str]:
    """(storage class, its arguments, a words-only description) for these settings."""
    kind = config["HUEY_STORAGE"] or ("redis" if config["REDIS_URL"] else "sqlite")
    if kind == "memory":
        return MemoryStorage, {}, "memory (this process only)"
    if kind == "redis":
        url = config["REDIS_URL"]
        return RedisStorage, {"url": url}, f"Redis ({url.rsplit('@', 1)[-1]})"
    path = config["HUEY_SQLITE_PATH"] or str(Path(config["INSTANCE_PATH"]) / "huey.db")
    return SqliteStorage, {"filename": path}, f"SQLite ({path})"


def configure(app: Flask) -> None:
    storage_class, kwargs, words = storage_settings(
        {**app.config, "INSTANCE_PATH": app.instance_path}
    )
    app.config["HUEY_STORAGE_DESCRIPTION"] = words
    name = app.config["HUEY_NAME"]
    if (huey.name, huey.storage_class, huey.storage_kwargs) == (name, storage_class, kwargs):
        return
    huey.name = name
    huey.storage_class = storage_class
    huey.storage_kwargs = kwargs
    huey.storage = huey.create_storage()


def bind(app: Flask) -> None:
    """Jobs run inside this app (the consumer's)."""
    global _app
    _app = app


def in_app(function):
    """Run a job inside the bound app's context (or the caller's, when it has one)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        if has_app_context() or _app is None:
            return function(*args, **kwargs)
        with _app.app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()

    return run
