"""WebKit, the engine of every iPhone browser, driven through WebKitGTK's WebDriver.

- ``Xvfb``: WebKitGTK needs an X display; Xvfb picks a free one (``-displayfd``).
- ``NetworkSwitch``: WebDriver has no "offline". The browser talks to the live server through this
  small TCP proxy; offline, the proxy resets every open connection and every new one, so each
  request fails at once as in flight mode, and the service worker answers from its caches.
- ``start_webkit``: a WebKitWebDriver session on ``tests/webkit/browser.py`` (WebKitGTK 4.1 through
  Debian's python3-gi), either on a profile kept on disk or in WebKit's ephemeral (private) mode.
- Small helpers in the spirit of ``pwa_tools``, for Selenium instead of Playwright.

docs/TESTING.md says what is installed and why.
"""

from __future__ import annotations

import importlib.util
import os
import select
import shutil
import socket
import socketserver
import struct
import subprocess
import threading
import warnings
from pathlib import Path

WEBDRIVER = "/usr/bin/WebKitWebDriver"
SYSTEM_PYTHON = "/usr/bin/python3"
BROWSER = Path(__file__).parent / "webkit" / "browser.py"
WAIT = 20  # seconds any condition may take


def missing_webkit() -> str | None:
    """Why the WebKit tests cannot run on this machine, or None when everything is here."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is missing (make install)"
    if not Path(WEBDRIVER).exists():
        return f"{WEBDRIVER} is missing (Debian: apt-get install webkit2gtk-driver; `make webkit`)"
    if not shutil.which("Xvfb"):
        return "Xvfb is missing (Debian: apt-get install xvfb; `make webkit`)"
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    if (
        not Path(SYSTEM_PYTHON).exists()
        or subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode != 0
    ):
        return "WebKitGTK for Python is missing (apt-get install gir1.2-webkit2-4.1 python3-gi)"
    return None


class Xvfb:
    """A virtual X display of our own for as long as the object lives."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x900x24", "-nolisten", "tcp"],
            pass_fds=[write],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()  # written once the display accepts clients
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _reset(sock: socket.socket) -> None:
    """Drop a connection the way a dead network does: an RST, no orderly goodbye."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread that pumps it
    except OSError:
        pass


class NetworkSwitch(socketserver.ThreadingTCPServer):
    """A TCP proxy on a free loopback port in front of ``target``; ``online = False`` cuts it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: str) -> None:
        host, port = target.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self._online = True
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self.refused = 0  # connections attempted while offline
        super().__init__(("127.0.0.1", 0), _Pump)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def online(self) -> bool:
        return self._online

    @online.setter
    def online(self, value: bool) -> None:
        with self._lock:
            self._online = value
            if not value:
                for client, upstream in self._pairs:
                    _reset(client)
                    _reset(upstream)

    def stop(self) -> None:
        self.online = False
        self.shutdown()
        self.server_close()


class _Pump(socketserver.BaseRequestHandler):
    server: NetworkSwitch

    def handle(self) -> None:
        client = self.request
        switch = self.server
        if not switch.online:
            switch.refused += 1
            _reset(client)
            return
        try:
            upstream = socket.create_connection(switch.target, timeout=5)
        except OSError:
            _reset(client)
            return
        upstream.settimeout(None)
        pair = (client, upstream)
        with switch._lock:
            if not switch.online:  # cut while we connected
                _reset(client)
                upstream.close()
                return
            switch._pairs.add(pair)
        try:
            while True:
                readable, _, _ = select.select(pair, [], [])
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            pass
        finally:
            with switch._lock:
                switch._pairs.discard(pair)
            upstream.close()


def start_webkit(display: str, log: Path, *, profile: Path | None = None, private=False):
    """A WebKitGTK WebDriver session on a profile kept on disk, or in ephemeral (private) mode."""
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    assert private != (profile is not None), "a profile on disk or private, not both"
    options = Options()
    options.binary_location = str(BROWSER)
    options.add_argument("--automation")
    options.add_argument("--private" if private else f"--profile={profile}")
    # The browser names itself (WebKitWebDriver matches browserName against it).
    options.set_capability("browserName", "GembaWebKit")
    home = log.parent / "webkit-home"  # GTK's and GStreamer's own caches, never the user's
    env = {
        **os.environ,
        "DISPLAY": display,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "NO_AT_BRIDGE": "1",  # no accessibility bus to look for
    }
    service = Service(executable_path=WEBDRIVER, env=env, log_output=str(log))
    with warnings.catch_warnings():
        # Selenium 4.51's own WebKitGTK class still passes the address the deprecated way.
        warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
        driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_script_timeout(WAIT)
    return driver


# --- helpers for the PWA, as pwa_tools has them for Playwright ----------------------------------

# WebDriver's Execute Script waits for a returned promise. (An asynchronous script, with its
# callback, sometimes never answered in WebKitGTK 2.50 while the service worker was installing.)
SERVICE_WORKER_STATE = """
return navigator.serviceWorker.getRegistration().then((registration) => ({
  active: registration?.active?.state ?? null,
  controlled: navigator.serviceWorker.controller !== null,
}));
"""

OUTBOX_STATES = """
return new Promise((resolve, reject) => {
  const request = indexedDB.open('gemba-walk');
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    const all = db.transaction('outbox').objectStore('outbox').getAll();
    all.onsuccess = () => { db.close(); resolve(all.result.map((entry) => entry.state)); };
    all.onerror = () => reject(all.error);
  };
});
"""

# Can this browser keep a Blob in IndexedDB? (WebKit's ephemeral storage cannot.)
BLOB_IN_INDEXEDDB = """
return new Promise((resolve) => {
  const request = indexedDB.open('webkit-blob-probe', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('probe');
  request.onerror = () => resolve(String(request.error));
  request.onsuccess = () => {
    const db = request.result;
    const put = db.transaction('probe', 'readwrite').objectStore('probe')
      .put(new Blob(['x'], { type: 'image/jpeg' }), 'blob');
    put.onsuccess = () => { db.close(); resolve('stored'); };
    put.onerror = (event) => { event.preventDefault(); db.close(); resolve(String(put.error)); };
  };
});
"""


def wait_until(driver, condition, message: str, timeout: float = WAIT):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # The app re-renders screens from IndexedDB: an element seen a moment ago may be gone.
    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]
    )
    return wait.until(condition, message)


def wait_for_text(driver, css: str, text: str, timeout: float = WAIT):
    """The first element matching ``css`` whose text contains ``text``."""
    from selenium.webdriver.common.by import By

    def found(d):
        for element in d.find_elements(By.CSS_SELECTOR, css):
            if text in element.text:
                return element
        return False

    from selenium.common.exceptions import TimeoutException

    try:
        return wait_until(driver, found, f"no {css} with text {text!r}", timeout)
    except TimeoutException as error:
        shown = driver.execute_script("return location.href + ' :: ' + document.body.innerText")
        raise TimeoutException(
            f"no {css} with text {text!r}; the page shows: {shown[:400]}"
        ) from error


def tap(element) -> None:
    """Scroll the element to the middle of the screen, as a thumb does, and tap it. (WebDriver
    scrolls it only to the edge, under the app's fixed bottom bar.)"""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def wait_for_service_worker(driver) -> None:
    """Installed, activated, and controlling the page after a reload (TESTING.md, pitfall 1).

    WebKitGTK 2.50 sometimes leaves a new worker "activating" until the page that registered
    it navigates (seen in about 1 of 5 fresh profiles); the reload lets it finish at once."""
    wait_until(
        driver,
        lambda d: d.execute_script(SERVICE_WORKER_STATE)["active"] in ("activating", "activated"),
        "no service worker was installed (did it fail to install?)",
    )
    driver.refresh()
    wait_until(
        driver,
        lambda d: (
            d.execute_script(SERVICE_WORKER_STATE) == {"active": "activated", "controlled": True}
        ),
        "the service worker is not active and in control of the page",
    )


def outbox_states(driver) -> list[str]:
    states = driver.execute_script(OUTBOX_STATES)
    assert isinstance(states, list), states
    return states
