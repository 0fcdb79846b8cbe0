"""Helpers for driving the PWA in Chromium: wait for the service worker, read IndexedDB."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError

WAIT_FOR_CONTROLLER = """async () => {
  const failed = new Promise((_, reject) => setTimeout(
    () => reject(new Error('no service worker became ready in 20 s (did it fail to install?)')),
    20000,
  ));
  const registration = await Promise.race([navigator.serviceWorker.ready, failed]);
  const worker = registration.active;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    }));
  }
  return true;
}"""


def wait_for_service_worker(page) -> None:
    """Wait until the worker is active and controls the page (TESTING.md, pitfall 1)."""
    page.evaluate(WAIT_FOR_CONTROLLER)
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def outbox_states(page) -> list[str]:
    """The states of the outbox entries. The shell redraws itself (a reload) when the person
    signed in is not the one it was drawn for, e.g. right after signing in again: a read cut by
    that reload is read again from the new page."""
    for attempt in range(3):
        try:
            return page.evaluate(OUTBOX_STATES)
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error) or attempt == 2:
                raise
            page.wait_for_load_state()
    raise AssertionError("unreachable")


OUTBOX_STATES = """async () => {
  const request = indexedDB.open('gemba-walk');
  const db = await new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  const all = db.transaction('outbox').objectStore('outbox').getAll();
  const entries = await new Promise((ok) => { all.onsuccess = () => ok(all.result); });
  db.close();
  return entries.map((entry) => entry.state);
}"""


def ready_for_the_floor(page, base_url: str, email: str) -> None:
    """Sign in, let the service worker take control and the field pack arrive: the state a
    leader's phone is in after opening the app once while online."""
    from tests.conftest import sign_in_in_browser

    sign_in_in_browser(page, base_url, email)
    page.goto(f"{base_url}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('Updated')").wait_for()


def attach_photo(page, name: str = "finding.jpg") -> None:
    """Take a photo for the finding on screen (a small camera-like JPEG) and wait for its thumb."""
    from tests.photo_tools import camera_jpeg

    photo = {"name": name, "mimeType": "image/jpeg", "buffer": camera_jpeg(640, 480, orientation=1)}
    page.locator("input[type=file]").first.set_input_files(photo)
    page.locator("img.thumb").first.wait_for()


def score_all(page, score: int = 4) -> None:
    """Score every item of the open 5S draft the same (4: good, no finding asked for)."""
    groups = page.locator("fieldset.scores")
    groups.first.wait_for()  # the screen renders from IndexedDB just after navigation
    for index in range(groups.count()):
        groups.nth(index).locator("label.score-choice").nth(score).click()
