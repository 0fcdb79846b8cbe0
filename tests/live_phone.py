"""A phone talking to the live gunicorn server over HTTP: its own cookies, signed in through the
form, a CSRF token from /api/v1/me — for races that only a real server shows."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.parse
import urllib.request

from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD


class Phone:
    """A signed-in phone talking to the live server over HTTP, with its own cookies."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(f"{base}/login").read().decode()
        form = urllib.parse.urlencode(
            {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_token_from(page)}
        ).encode()
        self.opener.open(f"{base}/login", data=form)
        self.token = json.loads(self.opener.open(f"{base}/api/v1/me").read())["csrf_token"]

    def sync_raw(self, payload: dict) -> tuple[int, bytes]:
        """The status and the exact bytes of the answer."""
        request = urllib.request.Request(  # noqa: S310 - the test's own server
            f"{self.base}/api/v1/sync",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sync(self, payload: dict) -> dict:
        status, body = self.sync_raw(payload)
        assert status == 200, body
        return json.loads(body)
