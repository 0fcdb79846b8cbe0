// @ts-check
// Service worker entry: wires Workbox's precache and routes, nothing else.
// Built by static/build.mjs (esbuild, then workbox-build injectManifest) into /sw.js.
import { cacheNames, clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute, setCatchHandler } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';

/** The worker's global scope (tsc checks this file with the webworker library: static/js/sw/jsconfig.json). */
const sw = /** @type {ServiceWorkerGlobalScope & typeof globalThis} */ (/** @type {unknown} */ (self));

/** Background Sync's event (not in TypeScript's library yet). @typedef {ExtendableEvent & {tag: string}} SyncEvent */

const SHELL_URL = '/capture/shell';
const OFFLINE_URL = '/offline';
const PAGES_CACHE = 'gemba-pages-v1';
const CHARTS_CACHE = 'gemba-charts-v1';

// workbox-build writes the precache list in place of the words `self.__WB_MANIFEST`: keep them.
precacheAndRoute(/** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self)).__WB_MANIFEST);
cleanupOutdatedCaches();
clientsClaim();

// Drop runtime caches of older versions of this worker.
sw.addEventListener('activate', (event) => {
  const keep = new Set([PAGES_CACHE, CHARTS_CACHE, cacheNames.precache, cacheNames.runtime]);
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('gemba-') && !keep.has(n)).map((n) => caches.delete(n))),
      ),
  );
});

// Every label URL and capture screen is the precached shell: instant, online or not.
registerRoute(
  new NavigationRoute(async () => (await matchPrecache(SHELL_URL)) || Response.error(), {
    allowlist: [/^\/a\/[^/]+(\/.*)?$/, /^\/capture(\/.*)?$/],
  }),
);

// Server-rendered pages: the network first, the last copy when offline.
registerRoute(
  ({ request, url }) => request.mode === 'navigate' && !url.pathname.startsWith('/api/'),
  new NetworkFirst({
    cacheName: PAGES_CACHE,
    networkTimeoutSeconds: 4,
    plugins: [
      // A redirect (to sign-in) must not be stored as the page it was asked for.
      { cacheWillUpdate: async ({ response }) => (response.redirected ? null : response) },
      new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 14 * 24 * 3600 }),
    ],
  }),
);

// Chart.js is not precached (the capture shell never draws charts), but once an insight page
// has drawn its charts they draw again offline, from the page's cached copy. The file name
// carries its content hash, so a cached copy is never stale.
registerRoute(
  ({ url }) => /^\/static\/dist\/charts-[A-Z0-9]+\.js$/.test(url.pathname),
  new CacheFirst({
    cacheName: CHARTS_CACHE,
    plugins: [new ExpirationPlugin({ maxEntries: 4 })],
  }),
);

setCatchHandler(async ({ request }) => {
  if (request.destination === 'document') return (await matchPrecache(OFFLINE_URL)) || Response.error();
  return Response.error();
});

// The pages a signed-in person needs offline beyond the shell (the Scan page), kept by the worker
// itself whenever a page of a signed-in person asks: after any sign-in or switch of person, from
// Home or straight from a capture screen, in that person's language. A redirect (signed out) is
// not kept.
const KEEP_FOR_OFFLINE = ['/scan'];
async function keepForOffline() {
  const cache = await caches.open(PAGES_CACHE);
  await Promise.all(
    KEEP_FOR_OFFLINE.map(async (url) => {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (response.ok && !response.redirected) await cache.put(url, response);
    }),
  );
}
sw.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'KEEP_FOR_OFFLINE') event.waitUntil(keepForOffline().catch(() => {}));
});

// Skip waiting only when the page asks (the user tapped "Reload"): never mid-audit.
sw.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') sw.skipWaiting();
});

// Background Sync: wake any open page to flush the outbox.
sw.addEventListener('sync', (/** @type {Event} */ fired) => {
  const event = /** @type {SyncEvent} */ (fired);
  if (event.tag !== 'gemba-outbox') return;
  event.waitUntil(
    sw.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'FLUSH_OUTBOX' });
    }),
  );
});

// Web Push: show what the server sent (encrypted to this device); a tap opens the ticket, in a
// window of the app already open when there is one.
sw.addEventListener('push', (event) => {
  /** @type {{title?: string, body?: string, url?: string, tag?: string}} */
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const url = typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/notifications';
  event.waitUntil(
    sw.registration.showNotification(data.title || 'Gemba Walk', {
      body: data.body || 'Something needs you.',
      tag: data.tag || url,
      icon: '/static/img/icon-192.png',
      badge: '/static/img/icon-192.png',
      data: { url },
    }),
  );
});

/**
 * Open a ticket from a notification: navigate an open window of the app there, else open one.
 * @param {string} path
 */
async function openFromNotification(path) {
  const url = new URL(path, sw.location.origin).href;
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === sw.location.origin && 'navigate' in client) {
      const opened = (await client.navigate(url)) || client;
      await opened.focus().catch(() => {}); // focus needs the tap's user activation
      return;
    }
  }
  await sw.clients.openWindow(url);
}

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification.data?.url || '/notifications'));
});
