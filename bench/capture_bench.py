"""Benchmarks of offline capture (issue 4): shell bytes, offline area load, photo compression,
sync throughput. Run: .venv/bin/python bench/capture_bench.py  (after `make assets`).
`--input-delay` measures only how responsive the page stays while a photo shrinks (issue 13),
with the photo worker and on the page's thread, and the Scan page's initial JS.

It starts its own gunicorn on a temporary SQLite database with the demo plant, drives Debian's
Chromium (or CHROMIUM_PATH) through Playwright, and prints a Markdown table of figures."""

from __future__ import annotations

import contextlib
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


# A good 4G uplink. Set GEMBA_BENCH_UPLINK_MBIT to measure another link.
UPLINK_MBIT = float(os.environ.get("GEMBA_BENCH_UPLINK_MBIT", "40"))


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


def scanner_initial_bytes() -> dict:
    """JS the Scan page loads up front (its entry and static imports), raw and gzip."""
    manifest = json.loads((DIST / "manifest.json").read_text())
    seen, queue, raw, gzipped = set(), [manifest["scanner.js"]], 0, 0
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        code = (DIST / name).read_bytes()
        raw += len(code)
        gzipped += gz(code)
        queue += [
            q.decode()
            for q in re.findall(
                rb'(?:^|[;}\s])import\s*(?:[\w{}$,\s*]+from\s*)?"\./([\w.-]+\.js)"', code
            )
        ]
    return {"files": len(seen), "raw": raw, "gzip": gzipped}


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


def capture_page(playwright, server: Server):
    """A phone-sized Chromium signed in, on the capture shell with its service worker in
    control: (browser, page)."""
    options = {"headless": True, "args": ARGS}
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if Path(chromium).exists():
        options["executable_path"] = chromium
    browser = playwright.chromium.launch(**options)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, server)
    page.goto(f"{server.url}/capture/drafts")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return browser, page


def browser_figures(server: Server, jpeg: bytes, runs: int = 10) -> dict:
    with sync_playwright() as playwright:
        browser, page = capture_page(playwright, server)
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
        page.context.set_offline(True)
        cdp = page.context.new_cdp_session(page)
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


TAP_PROBE = """() => {
  // A button at the top of the page; each tap records how late its click handler ran after the
  // browser received the input (the Event Timing "input delay"), and frames are counted.
  const button = document.createElement('button');
  button.textContent = 'tap';
  button.style.cssText = 'position:fixed;left:0;top:0;width:120px;height:120px;z-index:9999';
  document.body.append(button);
  window.benchTaps = [];
  button.addEventListener('click', (event) => {
    window.benchTaps.push(performance.now() - event.timeStamp);
  });
}"""

START_COMPRESSION = """(mode) => {
  window.benchTaps = [];
  window.benchDone = null;
  const gaps = [];
  let running = true;
  let last = performance.now();
  const frame = (now) => {
    gaps.push(now - last);
    last = now;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const bench = window.gembaBench;
  const compress = mode === 'worker' ? bench.compressPhoto : bench.compressOnMainThread;
  const started = performance.now();
  compress(window.benchPhoto).then((photo) => {
    running = false;
    const ms = performance.now() - started;
    window.benchDone = { ms, gaps, taps: window.benchTaps, type: photo.type };
  });
}"""


def input_delay_figures(server: Server, jpeg: bytes, runs: int = 5) -> dict:
    """Tap every 100 ms while a 12 MP photo shrinks at 4x CPU: how late the taps are handled and
    the longest gap between frames, with the photo worker and on the page's thread."""
    with sync_playwright() as playwright:
        browser, page = capture_page(playwright, server)
        page.wait_for_function("() => document.body.dataset.ready === 'true'")
        page.evaluate(
            "(bytes) => { window.benchPhoto = new File([new Uint8Array(bytes)], 'IMG.jpg', "
            "{ type: 'image/jpeg' }); }",
            list(jpeg),
        )
        page.evaluate(TAP_PROBE)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        figures = {}
        for mode in ("worker", "page"):
            taps, gaps, times = [], [], []
            for run in range(runs + 1):  # the first run warms up (the worker starts)
                page.evaluate(START_COMPRESSION, mode)
                while True:
                    page.mouse.click(60, 60)
                    done = page.evaluate("window.benchDone")
                    if done:
                        break
                    time.sleep(0.1)
                if run:
                    taps += done["taps"]
                    gaps.append(max(done["gaps"] or [0]))
                    times.append(done["ms"])
            figures[mode] = {
                "taps": len(taps),
                "tap_delay_ms_median": statistics.median(taps),
                "tap_delay_ms_max": max(taps),
                "longest_frame_gap_ms_median": statistics.median(gaps),
                "compress_ms_median": statistics.median(times),
            }
        browser.close()
    return figures


def print_input_delay(figures: dict, scanner: dict) -> None:
    print(json.dumps({"input_delay": figures, "scanner": scanner}, indent=2))
    print()
    print("| while a 12 MP photo shrinks, 4× CPU | photo worker | on the page's thread |")
    print("| --- | --- | --- |")
    worker, page = figures["worker"], figures["page"]
    for label, key in (
        ("tap → click handler, median", "tap_delay_ms_median"),
        ("tap → click handler, worst", "tap_delay_ms_max"),
        ("longest frame gap (median of runs)", "longest_frame_gap_ms_median"),
        ("compression time (median)", "compress_ms_median"),
    ):
        print(f"| {label} | {worker[key]:.0f} ms | {page[key]:.0f} ms |")
    print(f"| taps measured | {worker['taps']} | {page['taps']} |")
    print()
    print(
        f"Scan page initial JS ({scanner['files']} files): {scanner['raw'] / 1024:.1f} KiB, "
        f"{scanner['gzip'] / 1024:.1f} KiB gzip"
    )


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


def _session(port: int, server: Server) -> tuple[dict, int]:
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


def sync_throughput(
    server: Server, photos: list[bytes], in_flight: int, mbit_per_s: float | None
) -> dict:
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


def main() -> None:
    if "--input-delay" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as workdir:
            server = Server(Path(workdir))
            try:
                figures = input_delay_figures(server, camera_jpeg())
            finally:
                server.stop()
        print_input_delay(figures, scanner_initial_bytes())
        return
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
            figures["sync"] = [
                sync_throughput(server, photos, in_flight=1, mbit_per_s=None),
                sync_throughput(server, photos, in_flight=3, mbit_per_s=None),
                sync_throughput(server, photos, in_flight=3, mbit_per_s=UPLINK_MBIT),
            ]
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
    ]
    for run in sync:
        rows.append(
            (
                f"sync of {run['sync_records']} findings + photos ({run['sync_mb']:.1f} MB), "
                f"{run['link']}, {run['in_flight']} photo upload(s) in flight: "
                "bare upload time / API time",
                "≥ 0.8",
                f"{run['ratio']:.2f} ({run['bare_seconds']:.1f} s vs {run['api_seconds']:.1f} s)",
            )
        )
    print("| measure | target | result |")
    print("| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
