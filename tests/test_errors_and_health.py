"""Errors people can read, a health check, and the security headers on every answer."""

from __future__ import annotations


def test_health_check_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_says_when_the_database_is_gone(make_app):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    response = make_app(SQLALCHEMY_DATABASE_URI=unreachable).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_unknown_page_gets_a_friendly_html_404(client, auth):
    auth.login_as("member")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is nothing at this address." in response.text


def test_unknown_api_address_gets_a_json_404(client, auth):
    auth.login_as("member")
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "There is nothing at this address."}
    }


def test_wrong_method_on_the_api_is_a_json_405(client, auth):
    auth.login_as("member")
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_every_answer_has_a_strict_content_security_policy(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_other_hosts(client):
    html = client.get("/login").text
    assert "http://" not in html and "https://" not in html


def test_web_app_manifest_and_offline_page_are_served(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    assert [icon["src"] for icon in manifest.json["icons"]] == [
        "/static/img/icon-192.png",
        "/static/img/icon-512.png",
        "/static/img/icon-maskable-512.png",
    ]
    assert client.get("/offline").status_code == 200
    assert client.get("/capture/shell").status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    worker.close()
