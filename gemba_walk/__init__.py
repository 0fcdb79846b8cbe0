"""Gemba Walk: an offline-first PWA for Lean shop-floor leadership."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from gemba_walk.config import Defaults, settings_from_environment

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
    _return_big_buffers_to_the_system()
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
    from dotenv import load_dotenv

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
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _return_big_buffers_to_the_system() -> None:
    from gemba_walk.core.memory import return_big_buffers_to_the_system

    return_big_buffers_to_the_system()


def register_extensions(app: Flask) -> None:
    from gemba_walk.core import database
    from gemba_walk.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    import gemba_walk.models  # noqa: F401 — every table known to Alembic and the shell

    database.tune_sqlite()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from gemba_walk.core import i18n

    i18n.init_app(app)
    from gemba_walk.auth import sessions

    sessions.configure_login_manager(login_manager)


def register_input_guard(app: Flask) -> None:
    from gemba_walk.core import input_guard

    input_guard.register_converters(app)
    input_guard.register(app)


def register_blueprints(app: Flask) -> None:
    from gemba_walk.andon.views import bp as andon_bp
    from gemba_walk.api.views import bp as api_bp
    from gemba_walk.areas.site_views import bp as sites_bp
    from gemba_walk.areas.views import bp as areas_bp
    from gemba_walk.auth.admin_views import bp as users_bp
    from gemba_walk.auth.views import bp as auth_bp
    from gemba_walk.capture.views import bp as capture_bp
    from gemba_walk.checklists.views import bp as checklists_bp
    from gemba_walk.core.pwa import bp as pwa_bp
    from gemba_walk.home.views import bp as home_bp
    from gemba_walk.notify.views import bp as notify_bp
    from gemba_walk.reports.views import bp as reports_bp
    from gemba_walk.tickets.views import bp as tickets_bp
    from gemba_walk.walks.views import bp as walks_bp

    blueprints = (home_bp, pwa_bp, auth_bp, users_bp, sites_bp, areas_bp, capture_bp, api_bp)
    blueprints += (tickets_bp, reports_bp, checklists_bp, walks_bp, notify_bp, andon_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from gemba_walk.core import errors

    errors.register(app)


def register_security_headers(app: Flask) -> None:
    from gemba_walk.core import security_headers

    security_headers.register(app)


def register_template_helpers(app: Flask) -> None:
    from gemba_walk.areas.queries import plant_zone_name
    from gemba_walk.core import template_helpers

    template_helpers.register(app)
    app.extensions["plant_zone"] = plant_zone_name


def register_notifications(app: Flask) -> None:
    from gemba_walk.notify import listen, queue

    queue.configure(app)
    listen.register()


def register_commands(app: Flask) -> None:
    from gemba_walk.cli import commands

    commands.register(app)
