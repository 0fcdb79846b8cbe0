"""Talking to the live gunicorn server without a browser: a cookie jar, CSRF from the pages,
no redirects followed (a test looks at them), and the memory of the server's worker."""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        return json.loads(self.body)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LiveClient:
    """One device: its own cookies, signed in through the real sign-in form."""

    def __init__(self, base_url: str):
        self.base_url = str(base_url)
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Answer:
        request = urllib.request.Request(  # noqa: S310 — the live server's own http URL
            self.base_url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self._opener.open(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, csrf_from: str | None = None) -> Answer:
        if csrf_from is not None:
            fields = {**fields, "csrf_token": csrf_token_from(self.get(csrf_from).text)}
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def sign_in(self, email: str, password: str = DEFAULT_PASSWORD, remember=True) -> Answer:
        fields = {"email": email, "password": password}
        if remember:
            fields["remember"] = "y"
        return self.post_form("/login", fields, csrf_from="/login")

    def put_photo(self, uuid: str, data: bytes, sha256: str) -> Answer:
        token = self.get("/api/v1/me").json["csrf_token"]
        headers = {
            "X-CSRFToken": token,
            "X-Content-SHA256": sha256,
            "Content-Type": "application/octet-stream",
        }
        return self.request("PUT", f"/api/v1/photos/{uuid}", data, headers)


# --- a worker's memory, read from /proc as the kernel counts it -----------------------------


def worker_pid(master_pid: int, timeout: float = 10) -> int:
    """The pid of the (single) gunicorn worker under ``master_pid``."""
    deadline = time.monotonic() + timeout
    while True:
        children = [
            int(path.parent.name)
            for path in Path("/proc").glob("[0-9]*/stat")
            if _parent_of(path) == master_pid
        ]
        if children:
            return children[0]
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn {master_pid} has no worker")
        time.sleep(0.1)


def _parent_of(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    """Start a new peak: VmHWM becomes the current RSS (Linux's clear_refs, value 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
