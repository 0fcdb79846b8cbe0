"""Sync throughput for bench/capture_bench.py: photos and findings through the real API against
the same bytes sent to a trivial endpoint, over loopback or an emulated mobile uplink (``Link``)."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import http.server
import json
import re
import socket
import threading
import time
import uuid


class Sink(http.server.BaseHTTPRequestHandler):
    """The trivial endpoint: read the body, answer 204."""

    def do_PUT(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT  # noqa: N815

    def log_message(self, *args):
        pass


class Link:
    """A TCP proxy that carries the phone's upload at a fixed rate (a mobile uplink).

    Every connection through it shares one budget, as the connections of one phone share its
    radio; answers flow back unthrottled (they are small)."""

    def __init__(self, target_port: int, mbit_per_s: float):
        self.target_port, self.rate = target_port, mbit_per_s * 1e6 / 8
        self.lock, self.next_free = threading.Lock(), 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source, target, throttled: bool):
        try:
            while chunk := source.recv(16384):
                if throttled:
                    with self.lock:
                        begin = max(time.perf_counter(), self.next_free)
                        self.next_free = begin + len(chunk) / self.rate
                        wait = self.next_free - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.listener.close()


def _session(port: int, server) -> tuple[dict, int]:
    """Sign in as the demo leader: headers for the API and an area to report on."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()
    ).group(1)
    conn.request(
        "POST",
        "/login",
        body=f"email={server.email}&password={server.password}&csrf_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.request("GET", "/api/v1/me", headers={"Cookie": cookie})
    csrf = json.loads(conn.getresponse().read())["csrf_token"]
    conn.request("GET", "/api/v1/pack", headers={"Cookie": cookie})
    area_id = json.loads(conn.getresponse().read())["areas"][0]["id"]
    return {"Cookie": cookie, "X-CSRFToken": csrf}, area_id


def _batches(photo_ids: list[str], area_id: int, per_batch: int) -> list[bytes]:
    batches = []
    for start in range(0, len(photo_ids), per_batch):
        findings = [
            {
                "uuid": str(uuid.uuid4()),
                "area_id": area_id,
                "kind": "abnormality",
                "category": "quality",
                "severity": "medium",
                "description": f"Finding {i}",
                "observed_at": "2026-11-25T10:00:00Z",
                "photo_uuids": [photo_ids[i]],
            }
            for i in range(start, min(start + per_batch, len(photo_ids)))
        ]
        batches.append(json.dumps({"batch_id": str(uuid.uuid4()), "findings": findings}).encode())
    return batches


def _send_all(port: int, photos, ids, batches, headers, in_flight: int, api: bool) -> float:
    """Photos first (``in_flight`` connections, as the phone's sync does), then the batches."""
    queue = list(zip(ids, photos, strict=True))
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            with lock:
                if not queue:
                    return
                photo_id, data = queue.pop(0)
            extra = {"X-Content-SHA256": hashlib.sha256(data).hexdigest()} if api else {}
            conn.request(
                "PUT",
                f"/api/v1/photos/{photo_id}" if api else "/",
                body=data,
                headers={**headers, **extra, "Content-Type": "image/jpeg"},
            )
            answer = conn.getresponse()
            answer.read()
            assert answer.status in (201, 204), answer.status

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for batch in batches:
        conn.request(
            "POST",
            "/api/v1/sync" if api else "/",
            body=batch,
            headers={**headers, "Content-Type": "application/json"},
        )
        answer = conn.getresponse()
        answer.read()
        assert answer.status in (200, 204), answer.status
    return time.perf_counter() - started


def sync_throughput(server, photos: list[bytes], in_flight: int, mbit_per_s: float | None) -> dict:
    """500 photos + 500 findings through the real API vs the same bytes to a trivial sink,
    straight over loopback (mbit_per_s None) or through an emulated mobile uplink."""
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    links = []

    def via(port: int) -> int:
        if mbit_per_s is None:
            return port
        links.append(Link(port, mbit_per_s))
        return links[-1].port

    try:
        api_port, sink_port = via(server.port), via(sink.server_address[1])
        headers, area_id = _session(api_port, server)
        ids = [str(uuid.uuid4()) for _ in photos]
        batches = _batches(ids, area_id, per_batch=100)
        api_seconds = _send_all(api_port, photos, ids, batches, headers, in_flight, api=True)
        bare_seconds = _send_all(sink_port, photos, ids, batches, {}, in_flight, api=False)
    finally:
        sink.shutdown()
        for link in links:
            link.close()
    return {
        "link": f"{mbit_per_s:g} Mbit/s uplink" if mbit_per_s else "loopback",
        "in_flight": in_flight,
        "sync_records": len(photos),
        "sync_mb": (sum(map(len, photos)) + sum(map(len, batches))) / 1e6,
        "api_seconds": api_seconds,
        "bare_seconds": bare_seconds,
        "ratio": bare_seconds / api_seconds,
    }
