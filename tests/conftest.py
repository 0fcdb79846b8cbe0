"""Fixtures: a real database (SQLite file, or PostgreSQL with GEMBA_TEST_DB=postgresql), the app,
a test client signed in as any role, factories, a live gunicorn server and a real Chromium."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from gemba_walk import PROJECT_ROOT, create_app
from gemba_walk.config import normalise_database_url
from gemba_walk.extensions import db as _db
from tests import factories

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TEST_SECRET = "test-secret-key-not-for-production"
PHONE = {"width": 390, "height": 844}


# --- database ----------------------------------------------------------------------------------


def _test_database_url(tmp_path_factory) -> str:
    if os.environ.get("GEMBA_TEST_DB") == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("GEMBA_TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=2)
        if "test" not in (make_url(url).database or ""):
            pytest.exit("TEST_DATABASE_URL must name a database with 'test' in it: it is wiped")
        return _database_of_this_worker(normalise_database_url(url))
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'gemba_walk_test.db'}"


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker wipes and fills a PostgreSQL database of its own (the named
    one with the worker's id appended, made here when missing); one process uses the named one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = sa.create_engine(named, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        )
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    engine.dispose()
    return own.render_as_string(hide_password=False)


def pytest_collection_modifyitems(items) -> None:
    """`make test` runs two workers (pytest-xdist, --dist loadgroup): the browser stories go
    to one worker, one after another, as two browsers at once on two cores would starve each
    other; the other tests run beside them."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("webkit"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def _wipe(url: str) -> None:
    """Drop every table (ours, left over from an earlier run) so migrations start from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        else:
            meta = sa.MetaData()
            meta.reflect(connection)
            meta.drop_all(connection)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database built by the committed Alembic migrations, once per test session."""
    from flask_migrate import upgrade

    url = _test_database_url(tmp_path_factory)
    _wipe(url)
    app = create_app(
        _test_config(url, tmp_path_factory.mktemp("photos")),
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


def _test_config(url: str, photos: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "PHOTO_STORAGE_PATH": str(photos),
        "PUBLIC_BASE_URL": "http://gemba.test",
        "RATELIMIT_ENABLED": False,
        # Jobs queued by the app stay in this process; tests run them (notify.jobs.run_pending)
        # or start a real consumer on SQLite or Redis storage (tests/test_notify_queue.py).
        "HUEY_STORAGE": "memory",
        "PUSH_ALLOW_HTTP_ENDPOINTS": True,
        # Test-only (honoured only with TESTING): push services and webhook receivers the tests
        # start on 127.0.0.1 pass the egress policy (notify/egress.py), on any port.
        "TEST_ALLOW_LOOPBACK_RECEIVERS": True,
    }


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        # DELETE, children first, and the id sequences restarted (as SQLite's DELETE leaves
        # them): a test's few rows go in milliseconds, where TRUNCATE of every table took over a
        # second per test (it makes new files for each table).
        # A request of the live server may still be finishing (a phone's page retries in the
        # background): the emptying can meet it in a deadlock, which PostgreSQL ends by
        # cancelling one side. The request finishes; the emptying is simply tried again.
        sequences = _db.session.scalars(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).all()
        statements = [f"DELETE FROM {table}" for table in tables]  # noqa: S608 — our own names
        statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
        for attempt in range(5):
            try:
                _db.session.execute(sa.text("; ".join(statements)))
                break
            except sa.exc.OperationalError:
                _db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
    else:
        for table in tables:
            _db.session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 — our own names
    _db.session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    """The application on the migrated test database; every table is emptied after the test."""
    app = create_app(
        _test_config(database_url, tmp_path / "photos"), instance_path=str(tmp_path / "instance")
    )
    with app.app_context():
        yield app
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def make_app(app):
    """Build another app on the same database (other settings); its connections close after."""
    made = []

    def make(**settings):
        other = create_app({**app.config, **settings}, instance_path=app.instance_path)
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def count_queries(app) -> Callable[[], AbstractContextManager[list[str]]]:
    """``with count_queries() as statements:`` collects the SQL statements the block runs."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


class DeviceClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as under a real
    server. The ``app`` fixture keeps one app context open for the whole test, and Flask reuses
    it for requests, so ``g`` (where Flask-Login caches the signed-in user) would otherwise be
    shared by every client of the test: two devices need their own."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def new_device(app):
    """Make another browser or phone: its own cookies, its own requests."""

    def make():
        return DeviceClient(app, app.response_class, use_cookies=True)

    return make


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people --------------------------------------------------------------------------------------


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


class AuthActions:
    """Sign a test client in and out the way a person does: through the form, with CSRF."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.DEFAULT_PASSWORD, remember=True):
        page = self._client.get("/login")
        data = {"email": email, "password": password, "csrf_token": csrf_token_from(page.text)}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def login_as(self, role: str):
        """Create a user with this role and sign in as them."""
        user = factories.UserFactory(role=role)
        response = self.login(user.email)
        assert response.status_code == 302, response.text
        return user

    def csrf_token(self, path: str = "/") -> str:
        return csrf_token_from(self._client.get(path).text)

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": self.csrf_token()})


@pytest.fixture
def auth(client):
    return AuthActions(client)


class ApiClient:
    """The phone's side of the API: JSON, with the CSRF token from /api/v1/me on every write."""

    def __init__(self, client):
        self.client = client

    def token(self) -> str:
        return self.client.get("/api/v1/me").json["csrf_token"]

    def sync(self, batch: dict, csrf: bool = True):
        headers = {"X-CSRFToken": self.token()} if csrf else {}
        return self.client.post("/api/v1/sync", json=batch, headers=headers)

    def put_photo(self, uuid: str, data: bytes, sha256: str | None, content_type="image/jpeg"):
        headers = {"X-CSRFToken": self.token(), "Content-Type": content_type}
        if sha256 is not None:
            headers["X-Content-SHA256"] = sha256
        return self.client.put(f"/api/v1/photos/{uuid}", data=data, headers=headers)


@pytest.fixture
def api(client):
    return ApiClient(client)


# --- a real server and a real browser ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer(str):
    """The server's base URL, which also knows where that server keeps photos."""

    photo_path: Path
    process: subprocess.Popen

    def start(self) -> None:
        """Start (or restart) gunicorn and wait until /healthz answers."""
        self.process = subprocess.Popen(
            self._command, cwd=PROJECT_ROOT, env=self._env, stdout=self._log, stderr=self._log
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self}/healthz", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"live server did not start: {Path(self._log.name).read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _live_server(
    database_url: str,
    tmp_path_factory,
    workers: int = 1,
    env: dict | None = None,
    threads: int = 4,
) -> LiveServer:
    port = _free_port()
    server = LiveServer(f"http://127.0.0.1:{port}")
    server.photo_path = tmp_path_factory.mktemp("live-photos")
    server._env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "PHOTO_STORAGE_PATH": str(server.photo_path),
        "PUBLIC_BASE_URL": str(server),
        "RATELIMIT_ENABLED": "0",
        "HUEY_STORAGE": "memory",
        "GEMBA_INSTANCE_PATH": str(tmp_path_factory.mktemp("live-instance")),
        **(env or {}),
    }
    server._log = (tmp_path_factory.mktemp("live") / "gunicorn.log").open("w")
    server._command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "gemba_walk:create_app()",
    ]
    server.start()
    return server


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The real app under gunicorn on a free loopback port, on the test database."""
    server = _live_server(database_url, tmp_path_factory)
    yield server
    server.stop()
    server._log.close()


@pytest.fixture
def own_live_server(database_url, tmp_path_factory):
    """A server of this test's own, which the test may stop and start again."""
    server = _live_server(database_url, tmp_path_factory)
    yield server
    if server.process.poll() is None:
        server.stop()
    server._log.close()


@pytest.fixture
def make_live_server(database_url, tmp_path_factory):
    """Start servers of this test's own: ``make_live_server(workers=2, env={...})``."""
    servers = []

    def make(workers: int = 1, env: dict | None = None) -> LiveServer:
        server = _live_server(database_url, tmp_path_factory, workers, env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        if server.process.poll() is None:
            server.stop()
        server._log.close()


@pytest.fixture(scope="module")
def busy_live_server(database_url, tmp_path_factory):
    """A live server with 12 threads in its one worker: room for slow downloads and many
    phones at once (the plain live server has 4)."""
    server = _live_server(database_url, tmp_path_factory, threads=12)
    yield server
    server.stop()
    server._log.close()


def chromium_executable() -> str | None:
    """Debian's Chromium (or CHROMIUM_PATH); None lets Playwright use its own download."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "headless": True, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "device_scale_factor": 2, "has_touch": True}


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on loopback, the app's mail settings pointed at it."""
    from tests.notify_servers import SmtpServer

    server = SmtpServer().start()
    app.config.update(server.settings())
    yield server
    server.stop()


@pytest.fixture
def browser_profile(playwright, tmp_path):
    """A device's browser with its profile on disk (service worker, IndexedDB, cookies kept),
    a phone by default: ``browser_profile(viewport=NARROW, locale="ja-JP")`` opens it, and
    opening it again after closing it is the same device restarted. Closed after the test."""
    profile = tmp_path / "profile"
    opened = []

    def launch(**overrides):
        options = {"headless": True, "args": CHROMIUM_ARGS, "viewport": PHONE, "has_touch": True}
        if chromium_executable():
            options["executable_path"] = chromium_executable()
        context = playwright.chromium.launch_persistent_context(
            str(profile), **{**options, **overrides}
        )
        opened.append(context)
        return context

    yield launch
    for context in opened:
        with contextlib.suppress(Exception):  # the test may have closed it already
            context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under tests/artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def sign_in_in_browser(page, base_url: str, email: str, password: str = factories.DEFAULT_PASSWORD):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
