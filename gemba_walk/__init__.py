"""Gemba Walk: an offline-first PWA for Lean shop-floor leadership."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import gemba_walk.models  # noqa: F401 — every table known to Alembic and the shell
from gemba_walk.api.views import bp as api_bp
from gemba_walk.areas.queries import plant_zone_name
from gemba_walk.auth import sessions
from gemba_walk.checklists import texts
from gemba_walk.cli import commands
from gemba_walk.config import Defaults, settings_from_environment
from gemba_walk.core import database, errors, i18n, input_guard, security_headers, template_helpers
from gemba_walk.core.memory import return_big_buffers_to_the_system
from gemba_walk.extensions import csrf, db, limiter, login_manager, migrate
from gemba_walk.notify import listen, queue
from gemba_walk.web.andon.views import bp as andon_bp
from gemba_walk.web.areas.site_views import bp as sites_bp
from gemba_walk.web.areas.views import bp as areas_bp
from gemba_walk.web.auth.admin_views import bp as users_bp
from gemba_walk.web.auth.views import bp as auth_bp
from gemba_walk.web.capture.views import bp as capture_bp
from gemba_walk.web.checklists.views import bp as checklists_bp
from gemba_walk.web.home.views import bp as home_bp
from gemba_walk.web.notify.views import bp as notify_bp
from gemba_walk.web.pwa import bp as pwa_bp
from gemba_walk.web.reports.views import bp as reports_bp
from gemba_walk.web.tickets import bp as tickets_bp
from gemba_walk.web.walks.views import bp as walks_bp

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: configuration, then extensions, blueprints, errors and commands.

    Runtime data lives in ``instance/`` unless ``instance_path`` or GEMBA_INSTANCE_PATH says else.
    """
    app = Flask(
        __name__,
        instance_path=instance_path
        or os.environ.get("GEMBA_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    configure(app, test_config)
    trust_proxies(app)
    return_big_buffers_to_the_system()
    register_extensions(app)
    register_input_guard(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    register_notifications(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    load_dotenv(PROJECT_ROOT / ".env")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(Defaults)
    app.config.update(settings_from_environment(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from
    their X-Forwarded-* headers (the rate limits then count people, not the proxy). Without it
    those headers are ignored, so a client cannot pick its own address."""
    count = int(app.config["TRUSTED_PROXIES"])
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    database.tune_sqlite()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    # A ticket's title inside a notification reads like it does on the pages.
    i18n.read_problems_with(app, texts.shown_problem)
    sessions.configure_login_manager(login_manager)


def register_input_guard(app: Flask) -> None:
    input_guard.register_converters(app)
    input_guard.register(app)


def register_blueprints(app: Flask) -> None:
    blueprints = (home_bp, pwa_bp, auth_bp, users_bp, sites_bp, areas_bp, capture_bp, api_bp)
    blueprints += (tickets_bp, reports_bp, checklists_bp, walks_bp, notify_bp, andon_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    errors.register(app)


def register_security_headers(app: Flask) -> None:
    security_headers.register(app)


def register_template_helpers(app: Flask) -> None:
    template_helpers.register(app)
    app.extensions["plant_zone"] = plant_zone_name


def register_notifications(app: Flask) -> None:
    queue.configure(app)
    listen.register()


def register_commands(app: Flask) -> None:
    commands.register(app)
