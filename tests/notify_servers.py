"""Real servers the notification tests talk to: an SMTP server (aiosmtpd) that keeps what it
accepts, can refuse, or can hold a mail until told; and the job consumer (`flask run-jobs`) as
its own process."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.conftest import TEST_SECRET, _free_port


class Mailbox:
    """aiosmtpd handler: ``accepted`` holds parsed mails; ``refuse`` answers 451; ``hold``
    blocks the next DATA until ``release`` (the consumer can be killed meanwhile)."""

    def __init__(self):
        self.accepted: list[EmailMessage] = []
        self.refuse = False
        self.hold = False
        self.holding = threading.Event()
        self._release = threading.Event()
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            self.hold = False
            self.holding.set()
            while not self._release.is_set():  # noqa: ASYNC110 — the test's thread releases it
                await _pause()
            return "451 Try again later"
        if self.refuse:
            return "451 Mailbox busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.changed:
            self.accepted.append(message)
            self.changed.notify_all()
        return "250 OK"

    def release(self) -> None:
        self._release.set()

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        with self.changed:
            done = self.changed.wait_for(lambda: len(self.accepted) >= count, timeout)
        assert done, f"expected {count} mail(s), got {len(self.accepted)}"
        return self.accepted


async def _pause():
    import asyncio

    await asyncio.sleep(0.02)


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = _free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.mailbox.release()
        self.controller.stop()

    def settings(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_SECURITY": "none"}


class Consumer:
    """`flask run-jobs` on the test database, with the given queue storage."""

    def __init__(self, database_url: str, instance_path, env: dict, log_path):
        self.env = {
            **os.environ,
            "FLASK_APP": "gemba_walk",
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET,
            "GEMBA_INSTANCE_PATH": str(instance_path),
            "PUBLIC_BASE_URL": "http://gemba.test",
            **{key: str(value) for key, value in env.items()},
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self):
        log = self._log = open(self.log_path, "a")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "run-jobs", "--workers", "2"],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self._wait_for_log("Jobs:")
        return self

    def _wait_for_log(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_path.read_text():
                return
            assert self.process.poll() is None, self.log_path.read_text()
            time.sleep(0.05)
        raise AssertionError(f"the consumer never said {text!r}: {self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no chance to finish or clean up, as when a machine loses power."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log and not self._log.closed:
            self._log.close()


class HookServer:
    """An HTTP receiver on loopback for webhooks or Web Push, behaving as ``mode`` says:
    ``ok`` answers 200 at once; ``slow`` answers 200 and then one byte every ``interval``
    seconds (``drip`` bytes in all); ``huge`` answers a body of ``size`` bytes, as fast as it is
    read; ``status`` answers that status. It keeps each request's path, headers and body, the
    bytes it managed to write, and when each request came."""

    def __init__(
        self,
        mode: str = "ok",
        *,
        status: int = 200,
        interval: float = 1.0,
        drip: int = 30,
        size: int = 600 * 1024 * 1024,
    ):
        import http.server

        self.mode, self.status, self.interval, self.drip, self.size = (
            mode,
            status,
            interval,
            drip,
            size,
        )
        self.requests: list[tuple[str, dict, bytes, float]] = []
        self.written = 0
        self.changed = threading.Condition()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.changed:
                    server.requests.append(
                        (
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                        )
                    )
                    server.changed.notify_all()
                # The client may hang up: what the tests expect of slow and huge answers.
                with contextlib.suppress(OSError):
                    server._answer(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/hooks/gemba", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def _answer(self, handler) -> None:
        if self.mode == "slow":
            handler.send_response(200)
            handler.send_header("Content-Length", str(self.drip))
            handler.end_headers()
            for _ in range(self.drip):
                handler.wfile.write(b".")
                handler.wfile.flush()
                self.written += 1
                time.sleep(self.interval)
            return
        if self.mode == "huge":
            handler.send_response(200)
            handler.send_header("Content-Length", str(self.size))
            handler.end_headers()
            chunk = b"x" * (1024 * 1024)
            while self.written < self.size:
                handler.wfile.write(chunk)
                self.written += len(chunk)
            return
        status = self.status if self.mode == "status" else 200
        handler.send_response(status)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    def wait_for(self, count: int, timeout: float = 20) -> list:
        with self.changed:
            done = self.changed.wait_for(lambda: len(self.requests) >= count, timeout)
        assert done, f"expected {count} request(s), got {len(self.requests)}"
        return self.requests

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
