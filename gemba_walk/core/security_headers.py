"""Security headers on every answer: a strict CSP without unsafe-inline, no sniffing, no framing;
HSTS when served over HTTPS; signed-in pages kept out of shared caches.

Signed-in answers that set no caching of their own get ``Cache-Control: private, no-cache``: a
proxy between the plant floor and the server must never hand one person's tickets to another,
and the browser revalidates each time. The service worker is unaffected — its network-first
copies of pages live in Cache Storage, which stores what the worker puts there whatever the
HTTP caching headers say, and ``no-cache`` still lets the browser keep and revalidate them.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.after_request
    def _add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        seconds = app.config["HSTS_SECONDS"]
        if request.is_secure and seconds:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")
        if (
            "Cache-Control" not in response.headers
            and request.endpoint != "static"
            and current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "private, no-cache"
        return response
