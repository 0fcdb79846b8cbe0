"""Benchmarks of offline capture (issue 4): shell bytes, offline area load, photo compression,
sync throughput. Run: .venv/bin/python bench/capture_bench.py  (after `make assets`).

It starts its own gunicorn on a temporary SQLite database with the demo plant, drives Debian's
Chromium (or CHROMIUM_PATH) through Playwright, and prints a Markdown table of figures."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import http.server
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "static" / "dist"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def shell_critical_bytes() -> dict:
    """JS the capture shell loads before it can render (its entry and static imports), and CSS."""
    manifest = json.loads((DIST / "manifest.json").read_text())
    seen, queue, total = set(), [manifest["shell.js"]], 0
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        code = (DIST / name).read_bytes()
        total += gz(code)
        # static imports only: dynamic import() chunks load later, on demand
        queue += re.findall(
            rb'(?:^|[;}\s])import\s*(?:[\w{}$,\s*]+from\s*)?"\./([\w.-]+\.js)"', code
        )
        queue = [q.decode() if isinstance(q, bytes) else q for q in queue]
    css = gz((DIST / manifest["app.css"]).read_bytes())
    return {"js_files": len(seen), "js_gzip": total, "css_gzip": css}


def camera_jpeg(width=4000, height=3000) -> bytes:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 40):  # detail, so the encoder has real work (like a photo)
        draw.line([(i, 0), (width - i, height)], fill=(i % 255, (i * 7) % 255, 90), width=9)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, exif=exif)
    return buffer.getvalue()


class Server:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "GEMBA_INSTANCE_PATH": str(workdir / "instance"),
            "PHOTO_STORAGE_PATH": str(workdir / "photos"),
            "RATELIMIT_ENABLED": "0",
            "FLASK_APP": "gemba_walk",
        }
        flask = [sys.executable, "-m", "flask"]
        subprocess.run([*flask, "init-db"], env=self.env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run(
            [*flask, "seed-demo"], env=self.env, cwd=ROOT, check=True, capture_output=True
        )
        accounts = (workdir / "instance" / "demo-accounts.txt").read_text().split()
        self.email, self.password = accounts[
            accounts.index("leader") + 1 : accounts.index("leader") + 3
        ]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{self.port}",
                "gemba_walk:create_app()",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def sign_in(page, server: Server) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/")


def browser_figures(server: Server, jpeg: bytes, runs: int = 10) -> dict:
    with sync_playwright() as playwright:
        options = {"headless": True, "args": ARGS}
        chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
        if Path(chromium).exists():
            options["executable_path"] = chromium
        browser = playwright.chromium.launch(**options)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        sign_in(page, server)
        page.goto(f"{server.url}/capture/drafts")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.get_by_text("Field data from").wait_for()
        token = page.evaluate(
            """async () => new Promise((ok) => {
              const r = indexedDB.open('gemba-walk');
              r.onsuccess = () => {
                const g = r.result.transaction('pack').objectStore('pack').get('current');
                g.onsuccess = () => ok(g.result.areas[0].token);
              };
            })"""
        )
        area_url = f"{server.url}/a/{token}"
        page.goto(area_url)  # warm
        context.set_offline(True)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        timings = []
        for _ in range(runs):
            page.goto(area_url)
            page.wait_for_function("() => document.body.dataset.ready === 'true'")
            timings.append(
                page.evaluate("performance.getEntriesByName('gemba-screen-ready')[0].startTime")
            )
        photo_times, photo_sizes = [], []
        encoded = list(jpeg)
        for _ in range(5):
            result = page.evaluate(
                """async (bytes) => {
                  const file = new File([new Uint8Array(bytes)], 'IMG.jpg', { type: 'image/jpeg' });
                  const started = performance.now();
                  const photo = await window.gembaBench.compressPhoto(file);
                  return { ms: performance.now() - started, size: photo.blob.size,
                           w: photo.width, h: photo.height, type: photo.type };
                }""",
                encoded,
            )
            photo_times.append(result["ms"])
            photo_sizes.append(result["size"])
        browser.close()
    return {
        "offline_load_ms_median": statistics.median(timings),
        "offline_load_ms_max": max(timings),
        "photo_ms_median": statistics.median(photo_times),
        "photo_bytes_max": max(photo_sizes),
        "photo_shape": f"{result['w']}×{result['h']} {result['type']}",
    }


class Sink(http.server.BaseHTTPRequestHandler):
    """The trivial endpoint: read the body, answer 204."""

    def do_PUT(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT  # noqa: N815

    def log_message(self, *args):
        pass


def sync_throughput(server: Server, photos: list[bytes], findings_per_batch: int = 100) -> dict:
    """500 photos + 500 findings through the real API vs the same bytes to a trivial sink."""
    host, port = "127.0.0.1", server.port
    conn = http.client.HTTPConnection(host, port)
    body = f"email={server.email}&password={server.password}"
    conn.request("GET", "/login")
    response = conn.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()
    ).group(1)
    conn.request(
        "POST",
        "/login",
        body=f"{body}&csrf_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.request("GET", "/api/v1/me", headers={"Cookie": cookie})
    me = json.loads(conn.getresponse().read())
    csrf = me["csrf_token"]
    conn.request("GET", "/api/v1/pack", headers={"Cookie": cookie})
    area_id = json.loads(conn.getresponse().read())["areas"][0]["id"]
    headers = {"Cookie": cookie, "X-CSRFToken": csrf}

    ids = [str(uuid.uuid4()) for _ in photos]
    batches = []
    for start in range(0, len(photos), findings_per_batch):
        findings = [
            {
                "uuid": str(uuid.uuid4()),
                "area_id": area_id,
                "kind": "abnormality",
                "category": "quality",
                "severity": "medium",
                "description": f"Finding {i}",
                "observed_at": "2026-11-25T10:00:00Z",
                "photo_uuids": [ids[i]],
            }
            for i in range(start, min(start + findings_per_batch, len(photos)))
        ]
        batches.append(json.dumps({"batch_id": str(uuid.uuid4()), "findings": findings}).encode())
    total_bytes = sum(map(len, photos)) + sum(map(len, batches))

    started = time.perf_counter()
    for photo_id, data in zip(ids, photos, strict=True):
        conn.request(
            "PUT",
            f"/api/v1/photos/{photo_id}",
            body=data,
            headers={
                **headers,
                "Content-Type": "image/jpeg",
                "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
            },
        )
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 201, answer.status
    for batch in batches:
        conn.request(
            "POST",
            "/api/v1/sync",
            body=batch,
            headers={**headers, "Content-Type": "application/json"},
        )
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 200, answer.status
    api_seconds = time.perf_counter() - started

    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    bare = http.client.HTTPConnection("127.0.0.1", sink.server_address[1])
    started = time.perf_counter()
    for data in [*photos, *batches]:
        bare.request("PUT", "/", body=data, headers={"Content-Type": "application/octet-stream"})
        bare.getresponse().read()
    bare_seconds = time.perf_counter() - started
    sink.shutdown()
    return {
        "sync_records": len(photos),
        "sync_mb": total_bytes / 1e6,
        "api_seconds": api_seconds,
        "bare_seconds": bare_seconds,
        "ratio": bare_seconds / api_seconds,
    }


def main() -> None:
    figures = {"shell": shell_critical_bytes()}
    jpeg = camera_jpeg()
    with tempfile.TemporaryDirectory() as workdir:
        server = Server(Path(workdir))
        try:
            figures["browser"] = browser_figures(server, jpeg)
            # what phones send: ~1600 px JPEGs of a few hundred kB
            phone_photo = Image.open(io.BytesIO(jpeg)).resize((1600, 1200))
            photos = []
            for i in range(500):
                buffer = io.BytesIO()
                phone_photo.rotate(i % 4 * 0.5).save(buffer, format="JPEG", quality=80)
                photos.append(buffer.getvalue())
            figures["sync"] = sync_throughput(server, photos)
        finally:
            server.stop()
    shell, browser, sync = figures["shell"], figures["browser"], figures["sync"]
    print(json.dumps(figures, indent=2))
    print()
    rows = [
        (
            f"capture shell critical JS, gzip ({shell['js_files']} files)",
            "≤ 60 KiB",
            f"{shell['js_gzip'] / 1024:.1f} KiB",
        ),
        ("CSS, gzip", "≤ 30 KiB", f"{shell['css_gzip'] / 1024:.1f} KiB"),
        (
            "offline repeat load of /a/<token> until usable, 4× CPU (median / max of 10)",
            "≤ 300 ms",
            f"{browser['offline_load_ms_median']:.0f} / {browser['offline_load_ms_max']:.0f} ms",
        ),
        (
            "12 MP JPEG compressed on the phone, 4× CPU (median of 5)",
            "≤ 1.5 s",
            f"{browser['photo_ms_median'] / 1000:.2f} s",
        ),
        (
            "compressed photo size (largest of 5)",
            "≤ 300 KB",
            f"{browser['photo_bytes_max'] / 1000:.0f} KB ({browser['photo_shape']})",
        ),
        (
            f"sync of {sync['sync_records']} findings + photos ({sync['sync_mb']:.1f} MB): "
            "bare upload time / API time",
            "≥ 0.8",
            f"{sync['ratio']:.2f} ({sync['bare_seconds']:.1f} s vs {sync['api_seconds']:.1f} s)",
        ),
    ]
    print("| measure | target | result |")
    print("| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
