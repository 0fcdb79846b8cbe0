"""Configuration read from the environment, with safe defaults for a single-plant install."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gemba_walk.lean import DUE_DAYS_BY_SEVERITY


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the secret kept in ``instance/secret_key``, creating it on first run."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting together must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def settings_from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'gemba_walk.db'}"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or load_or_create_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PHOTO_STORAGE_PATH": env.get("PHOTO_STORAGE_PATH") or str(Path(instance_path) / "photos"),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Shared by every worker and server when REDIS_URL (or RATELIMIT_STORAGE_URI) is set.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI")
        or env.get("REDIS_URL")
        or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "gemba_walk"),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)),
        # Background jobs (Huey): SQLite in instance/huey.db, Redis when REDIS_URL is set, or
        # HUEY_STORAGE=sqlite|redis|memory; HUEY_NAME keeps two installs on one Redis apart.
        "REDIS_URL": env.get("REDIS_URL") or "",
        "HUEY_STORAGE": env.get("HUEY_STORAGE") or "",
        "HUEY_NAME": env.get("HUEY_NAME") or "gemba_walk",
        "HUEY_SQLITE_PATH": env.get("HUEY_SQLITE_PATH") or "",
        # E-mail: nothing is sent unless SMTP_HOST is set. SMTP_SECURITY: starttls, ssl or none.
        "SMTP_HOST": env.get("SMTP_HOST") or "",
        "SMTP_PORT": int(env.get("SMTP_PORT") or 587),
        "SMTP_SECURITY": env.get("SMTP_SECURITY") or "starttls",
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or "",
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or "",
        "MAIL_FROM": env.get("MAIL_FROM") or "",
        # Web Push: the VAPID key pair is generated into instance/ on first use.
        "VAPID_SUBJECT": env.get("VAPID_SUBJECT") or "",
        # Plant local time for quiet hours, digests and due dates when a site names none.
        "NOTIFY_TIMEZONE": env.get("NOTIFY_TIMEZONE") or "UTC",
    }


class Defaults:
    """Values that rarely need changing; each can be overridden in instance/config.py."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Phones on the floor stay signed in for a month; the field pack and outbox live longer still.
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, so long forms never expire
    JSON_SORT_KEYS = False
    # Flask-Babel: English when a person chose no language; the catalogs in the package.
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    # Strict-Transport-Security on answers served over HTTPS (0 turns it off). No
    # includeSubDomains: other services of the plant may live on sibling names.
    HSTS_SECONDS = 365 * 24 * 3600
    DEFAULT_PAGE_SIZE = 50
    # Kaizen tickets: days from the finding to the due date, by severity; how long after a
    # verification a new finding of the same problem counts as a recurrence.
    TICKET_DUE_DAYS = dict(DUE_DAYS_BY_SEVERITY)
    TICKET_RECURRENCE_DAYS = 90
    # Photos: how many images one process decodes at once (each costs up to ~60 MB while it is
    # decoded; see docs/PERFORMANCE.md), and how long an upload waits for its turn before the
    # phone is told to send it again later (503).
    # Sign-in (auth/throttle.py): wrong passwords in a row from one address before it must wait
    # for that name (1 minute, doubling with each further one, at most the maximum); and the
    # looser ceiling for one name from all addresses together, within a window, and its wait.
    SIGN_IN_LOCKOUT_FAILURES = 5
    SIGN_IN_DELAY_MAX_MINUTES = 60
    SIGN_IN_ACCOUNT_CEILING = 100
    SIGN_IN_ACCOUNT_WINDOW_MINUTES = 60
    SIGN_IN_ACCOUNT_COOL_DOWN_MINUTES = 2
    # A rate-limit store that fails (Redis down) must not turn sign-in into a 500; the
    # per-account count in the database still holds.
    RATELIMIT_SWALLOW_ERRORS = True
    PHOTO_DECODE_CONCURRENCY = 1
    # Photos uploaded but attached to nothing this many days later are removed by
    # `flask prune-photos` (a phone sends the photos of a batch just before the batch).
    PHOTO_UNATTACHED_MAX_AGE_DAYS = 7
    PHOTO_DECODE_WAIT_SECONDS = 30
    # Notifications: a delivery claimed by a job that died is taken over after this long; the
    # daily e-mail digest's hour (plant local time); days an overdue ticket waits before its
    # area's leader hears; minutes an andon pull waits for an acknowledgement before escalating.
    NOTIFY_CLAIM_SECONDS = 300
    NOTIFY_DIGEST_HOUR = 7
    NOTIFY_OVERDUE_GRACE_DAYS = 2
    # A person who would hear of more tickets than this at once from the due check (the first
    # run on a plant's old tickets) hears one summary instead.
    NOTIFY_SUMMARY_AFTER = 3
    ANDON_ESCALATE_MINUTES = 15
    # Webhooks: failures in a row before an endpoint is paused (and the admins told); plain
    # HTTP receivers only where a test or a closed network asks for them.
    WEBHOOK_PAUSE_AFTER = 10
    WEBHOOK_ALLOW_INSECURE = False
    # Outgoing requests (notify/egress.py): ports beyond 443 and 8443, the total deadline of one
    # request, the most of an answer read, and the name resolver (None: the system's; tests
    # set their own). TEST_ALLOW_LOOPBACK_RECEIVERS lets tests (TESTING only) post to 127.0.0.1.
    EGRESS_EXTRA_PORTS: tuple[int, ...] = ()
    EGRESS_DEADLINE_SECONDS = 10
    EGRESS_MAX_RESPONSE_BYTES = 64 * 1024
    EGRESS_RESOLVER = None
    TEST_ALLOW_LOOPBACK_RECEIVERS = False
    # Web Push: push services beyond the known ones, and plain-HTTP endpoints (tests only).
    PUSH_EXTRA_SERVICE_HOSTS: tuple[str, ...] = ()
    PUSH_ALLOW_HTTP_ENDPOINTS = False
    # Seconds one SMTP conversation may take.
    SMTP_TIMEOUT = 10
    # Flask-Login's "remember me" cookie.
    REMEMBER_COOKIE_NAME = "remember_token"
    # The andon from an area's label (people without an account): reports one client address
    # may send, and all addresses together to one area, before a 429 asks them to wait; past
    # the area's limit, addresses new to the area still get through at this lower rate (and
    # the area's leaders hear of the flood). Counted in the database (andon/limits.py).
    ANDON_LIMIT_PER_ADDRESS = "5 per 10 minutes"
    ANDON_LIMIT_PER_AREA = "30 per hour"
    ANDON_LIMIT_PER_AREA_NEW_ADDRESSES = "10 per hour"
    # `flask prune-photos` removes an andon report's photo this many days after it came in,
    # decided or not (an accepted report's photo stays with its finding).
    ANDON_PHOTO_MAX_AGE_DAYS = 30
