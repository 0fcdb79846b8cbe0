"""Helpers for driving the PWA in Chromium: wait for the service worker, read IndexedDB."""

from __future__ import annotations

WAIT_FOR_CONTROLLER = """async () => {
  const registration = await navigator.serviceWorker.ready;
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
    return page.evaluate(
        """async () => {
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
    )
