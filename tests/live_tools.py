"""People and phones talking to the live gunicorn server over real HTTP, each with own cookies."""

from __future__ import annotations

import json

import requests

from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD
from tests.photo_tools import sha256


class LiveUser:
    """A signed-in browser or phone: its own cookie jar, the CSRF token from /api/v1/me."""

    def __init__(self, base: str, email: str, password: str = DEFAULT_PASSWORD):
        self.base = base
        self.http = requests.Session()
        # A fresh connection per request: gunicorn closes idle keep-alive connections after
        # 2 s, and a request sent on one just as it closes fails on the client's side.
        self.http.headers["Connection"] = "close"
        page = self.http.get(f"{base}/login", timeout=30)
        answer = self.http.post(
            f"{base}/login",
            data={"email": email, "password": password, "csrf_token": csrf_token_from(page.text)},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text
        self.token = self.http.get(f"{base}/api/v1/me", timeout=30).json()["csrf_token"]

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{self.base}{path}", timeout=60, **kwargs)

    def sync(self, payload: dict | str) -> requests.Response:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return self.http.post(
            f"{self.base}/api/v1/sync",
            data=body.encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
            timeout=60,
        )

    def put_photo(self, uuid: str, data, digest: str | None = None) -> requests.Response:
        """PUT a photo; ``data`` may be an iterator of bytes, which requests sends chunked."""
        headers = {"Content-Type": "image/jpeg", "X-CSRFToken": self.token}
        if isinstance(data, bytes | bytearray):
            digest = digest or sha256(bytes(data))
        if digest:
            headers["X-Content-SHA256"] = digest
        return self.http.put(
            f"{self.base}/api/v1/photos/{uuid}", data=data, headers=headers, timeout=60
        )

    def close(self) -> None:
        self.http.close()
