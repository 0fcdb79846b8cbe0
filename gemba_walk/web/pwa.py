"""What makes Gemba Walk an installable, offline-capable app: worker, manifest, offline page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, send_file, url_for

from gemba_walk.core.errors import error_response
from gemba_walk.core.i18n import gettext as _

bp = Blueprint("pwa", __name__)

THEME_COLOUR = "#0b3d2e"


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so its scope is the whole app."""
    path = Path(current_app.static_folder) / "dist" / "sw.js"
    if not path.exists():
        return error_response(404, "The app is not built: run `make assets`.")
    response = send_file(path, mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest (name, icons, start URL) that makes the app installable."""

    def icon(name: str) -> str:
        return url_for("static", filename=f"img/{name}")

    body = {
        "name": "Gemba Walk",
        "short_name": "Gemba",
        "description": _("5S audits, waste walks and kaizen at the gemba — works offline."),
        "start_url": "/capture/drafts",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f5",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": icon("icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": icon("icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": icon("icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("Scan a label"), "url": "/scan"},
            {"name": _("Outbox"), "url": "/capture/outbox"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that was never loaded while online."""
    return render_template("offline.html")
