"""Benchmarks of offline capture: shell bytes, offline area load, photo compression,
sync throughput. Run: .venv/bin/python bench/capture_bench.py  (after `make assets`).
`--input-delay` measures only how responsive the page stays while a photo shrinks,
with the photo worker and on the page's thread, and the Scan page's initial JS.

It starts its own gunicorn on a temporary SQLite database with the demo plant, drives Debian's
Chromium (or CHROMIUM_PATH) through Playwright, and prints a Markdown table of figures.
--quick (what `make bench-smoke` runs): 2 offline loads, 1 photo of 3 MP, 10 photos synced over
loopback and the uplink, one input-delay run per mode, on one server; a failed request or a
screen that never comes fails."""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from asset_sizes import scanner_initial_bytes, shell_critical_bytes
from capture_sync import sync_throughput
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


def browser_figures(server: Server, jpeg: bytes, runs: int, photos: int) -> dict:
    """Offline loads of an area's label URL and photo compressions, at 4x CPU."""
    with sync_playwright() as playwright:
        browser, page = capture_page(playwright, server)
        # The shell says "Updated just now" once the field pack is kept on the phone.
        page.locator("#pack-age").filter(has_text="Updated").wait_for()
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
        page.evaluate(PHOTO_FILE, base64.b64encode(jpeg).decode())
        for _ in range(photos):
            result = page.evaluate(
                """async () => {
                  const started = performance.now();
                  const photo = await window.gembaBench.compressPhoto(window.benchPhoto);
                  return { ms: performance.now() - started, size: photo.blob.size,
                           w: photo.width, h: photo.height, type: photo.type };
                }"""
            )
            photo_times.append(result["ms"])
            photo_sizes.append(result["size"])
        browser.close()
    return {
        "loads": runs,
        "shrinks": photos,
        "offline_load_ms_median": statistics.median(timings),
        "offline_load_ms_max": max(timings),
        "photo_ms_median": statistics.median(photo_times),
        "photo_bytes_max": max(photo_sizes),
        "photo_shape": f"{result['w']}×{result['h']} {result['type']}",
    }


# The camera's file, handed to the page once (base64: a list of numbers is slow to pass).
PHOTO_FILE = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  window.benchPhoto = new File([bytes], 'IMG.jpg', { type: 'image/jpeg' });
}"""

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
        page.evaluate(PHOTO_FILE, base64.b64encode(jpeg).decode())
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


def print_input_delay(figures: dict, scanner: dict, camera_mp: int = 12) -> None:
    print(json.dumps({"input_delay": figures, "scanner": scanner}, indent=2))
    print()
    print(f"| while a {camera_mp} MP photo shrinks, 4× CPU | photo worker | on the page's thread |")
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


def phone_photos(jpeg: bytes, count: int) -> list[bytes]:
    """What phones send: ~1600 px JPEGs of a few hundred kB."""
    phone_photo = Image.open(io.BytesIO(jpeg)).resize((1600, 1200))
    photos = []
    for i in range(count):
        buffer = io.BytesIO()
        phone_photo.rotate(i % 4 * 0.5).save(buffer, format="JPEG", quality=80)
        photos.append(buffer.getvalue())
    return photos


def capture_figures(quick: bool) -> dict:
    """Shell bytes, the browser's figures and the sync runs (quick: fewer of each, a 3 MP photo,
    and the input-delay runs on the same server)."""
    figures = {"shell": shell_critical_bytes()}
    width, height = (2000, 1500) if quick else (4000, 3000)
    jpeg = camera_jpeg(width, height)
    figures["camera_mp"] = round(width * height / 1e6)
    with tempfile.TemporaryDirectory() as workdir:
        server = Server(Path(workdir))
        try:
            loads, shrinks = (2, 1) if quick else (10, 5)
            figures["browser"] = browser_figures(server, jpeg, runs=loads, photos=shrinks)
            photos = phone_photos(jpeg, 10 if quick else 500)
            runs = [(3, None), (3, UPLINK_MBIT)]
            if not quick:
                runs.insert(0, (1, None))  # one photo at a time, as the first sync engine did
            figures["sync"] = [
                sync_throughput(server, photos, in_flight=in_flight, mbit_per_s=mbit)
                for in_flight, mbit in runs
            ]
            if quick:
                figures["input_delay"] = input_delay_figures(server, jpeg, runs=1)
        finally:
            server.stop()
    return figures


def print_capture(figures: dict) -> None:
    shell, browser, sync = figures["shell"], figures["browser"], figures["sync"]
    print(json.dumps(figures, indent=2))
    print()
    loads, shrinks = browser["loads"], browser["shrinks"]
    rows = [
        (
            f"capture shell critical JS, gzip ({shell['js_files']} files)",
            "≤ 60 KiB",
            f"{shell['js_gzip'] / 1024:.1f} KiB",
        ),
        ("CSS, gzip", "≤ 30 KiB", f"{shell['css_gzip'] / 1024:.1f} KiB"),
        (
            f"offline repeat load of /a/<token> until usable, 4× CPU (median / max of {loads})",
            "≤ 300 ms",
            f"{browser['offline_load_ms_median']:.0f} / {browser['offline_load_ms_max']:.0f} ms",
        ),
        (
            f"{figures['camera_mp']} MP JPEG compressed on the phone, 4× CPU (median of {shrinks})",
            "≤ 1.5 s",
            f"{browser['photo_ms_median'] / 1000:.2f} s",
        ),
        (
            f"compressed photo size (largest of {shrinks})",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input-delay", action="store_true", help="only the input-delay runs")
    parser.add_argument("--quick", action="store_true", help="few runs of each, for bench-smoke")
    args = parser.parse_args()
    if args.input_delay:
        with tempfile.TemporaryDirectory() as workdir:
            server = Server(Path(workdir))
            try:
                figures = input_delay_figures(server, camera_jpeg(), runs=1 if args.quick else 5)
            finally:
                server.stop()
        print_input_delay(figures, scanner_initial_bytes())
        return
    figures = capture_figures(args.quick)
    print_capture(figures)
    if args.quick:
        print_input_delay(figures["input_delay"], scanner_initial_bytes(), figures["camera_mp"])


if __name__ == "__main__":
    main()
