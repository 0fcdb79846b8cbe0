// @ts-check
// The capture shell: one precached page that renders every capture screen from IndexedDB.
// It works the same online and offline; the server is asked only to refresh and to sync.

import { deviceId, getMeta } from '../offline/db.js';
import { draftFor, getDraft, startDraft } from '../offline/drafts.js';
import { unsynced } from '../offline/outbox.js';
import { findArea, loadPack, refreshPack } from '../offline/pack.js';
import { compressOnMainThread, compressPhoto } from '../offline/photos.js';
import { flushOutbox, nextAttemptAt, onProgress, requestBackgroundSync } from '../offline/sync.js';
import { renderArea } from '../screens/area.js';
import { renderChecklist } from '../screens/checklist.js';
import { renderDrafts, renderOutbox } from '../screens/outbox.js';
import { renderWalks } from '../screens/walks.js';
import { deviceUser, rememberUser, whoIsSignedIn } from '../shared/api.js';
import { N_, t, translateMarked, useMessages } from '../shared/i18n.js';
import { registerServiceWorker } from '../shared/pwa.js';
import { ago, dateTime, h, megabytes, mount, setPlantZone, zoneOfArea } from '../shared/ui.js';

// Words that fill another sentence's placeholder (marked here: the catalog sees them).
// The shell's own words (templates/capture/shell.html, marked data-t / data-t-label).
N_('Skip to content');
N_('Notifications');
N_('Switch person');
N_('Loading…');
N_('Main');
N_('Home');
N_('Scan');
N_('Walks');
N_('Drafts');
N_('Outbox');
const SOMEONE_ELSE = N_('someone else');
const ITS_AUTHOR = N_('its author');

// For the benchmarks in bench/: the same compression the photo picker uses (in the worker where
// it can run), and the page-thread path browsers without a worker canvas take.
window.gembaBench = { compressPhoto, compressOnMainThread };

/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Draft} Draft */
/** @typedef {import('../shared/types').User} User */

/**
 * A part the shell's page always has (templates/capture/shell.html).
 * @param {string} id
 */
function part(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The capture shell's page has no #${id}`);
  return element;
}

const root = part('app');
const packAge = part('pack-age');
const badge = part('outbox-count');
const bell = document.getElementById('shell-bell');
if (bell && navigator.onLine) {
  import('../shared/push.js').then(({ showBellCount }) => showBellCount(bell)).catch(() => {});
}

// "Updated 5 min ago": when this phone last checked the areas and checklists with the server;
// redrawn every minute, with the exact time one hover or long-press away.
/** @type {ReturnType<typeof setInterval> | undefined} */
let packAgeTimer;
// A Wi-Fi with no uplink says navigator.onLine: the last try to reach the server says more.
let serverReachable = true;
async function showPackAge() {
  const checked = await getMeta('pack_checked_at');
  const draw = () => {
    const updated = checked ? t('Updated %(when)s', { when: ago(checked) }) : t('Not updated yet — connect once');
    // Offline is said in words on every capture screen: what is saved now waits on the phone.
    const offline = !navigator.onLine || !serverReachable;
    packAge.textContent = offline ? `${t('Offline')} · ${updated}` : updated;
    packAge.classList.toggle('pack-age--offline', offline);
    packAge.title = checked
      ? t('Areas and checklists checked with the server %(time)s', { time: dateTime(checked) })
      : '';
  };
  draw();
  window.onoffline = draw;
  window.ononline = () => {
    serverReachable = true;
    draw();
  };
  clearInterval(packAgeTimer);
  packAgeTimer = setInterval(draw, 60_000);
}

/** @type {User | null} who is signed in on this phone, as far as it knows (the server decides on sync) */
let user = null;

async function showOutboxCount() {
  const count = (await unsynced(user)).length;
  badge.textContent = String(count);
  badge.hidden = count === 0;
  badge.setAttribute('aria-label', t('%(count)s record(s) waiting to sync', { count }));
}

const STORAGE_WARNING_SHARE = 0.8;

// Photos wait on the phone until they are synced: warn before the browser's quota runs out.
async function warnIfStorageNearlyFull() {
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  if (!estimate?.quota) return;
  const usage = estimate.usage || 0;
  const share = usage / estimate.quota;
  if (share < STORAGE_WARNING_SHARE) return;
  const warning = h(
    'div',
    { className: 'notice notice--warn storage-warning', role: 'alert' },
    h('strong', {}, t('This phone’s storage for Gemba Walk is nearly full.')),
    ' ',
    t(
      '%(used)s of %(quota)s used (%(share)s%%). ' +
        'Sync now to free the space photos take; new photos may not be saved otherwise.',
      {
        used: megabytes(usage),
        quota: megabytes(estimate.quota),
        share: Math.round(share * 100),
      },
    ).replace('%%', '%'),
  );
  root.prepend(warning);
}

function needPack() {
  mount(
    root,
    h(
      'section',
      { className: 'card card--narrow' },
      h('h1', {}, t('No field data on this phone yet')),
      h('p', {}, t('Open Gemba Walk once while online and signed in; it then works without a network.')),
      h('a', { className: 'button button--primary', href: '/login?next=/capture/drafts' }, t('Sign in')),
    ),
  );
}

// Whether a label's area takes andon reports from people who are not signed in: the field pack
// says so; a phone without one (the app was opened here, nobody signed in) asks the server.
/**
 * @param {string} token
 * @param {Pack | undefined} pack
 */
async function andonOpen(token, pack) {
  const area = pack ? findArea(pack, token) : null;
  if (area) return Boolean(area.andon);
  try {
    return (await fetch(`/andon/${token}`, { method: 'HEAD', cache: 'no-store' })).ok;
  } catch {
    return false;
  }
}

// "Switch person" on a shared tablet: the server ends this person's session and opens sign-in
// for the next one, who comes back to this screen. Records stay with their author.
function offerSwitchPerson() {
  const button = document.getElementById('switch-person');
  if (!button || !user) return;
  button.textContent = t('Switch person');
  button.hidden = false;
  button.addEventListener('click', async () => {
    let csrf = null;
    try {
      csrf = (await whoIsSignedIn(8)).csrf;
    } catch {
      button.textContent = t('Switching person needs the network.');
      return;
    }
    await rememberUser(null);
    if (!csrf) {
      window.location.assign(`/login?switch=1&next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    const form = h(
      'form',
      { method: 'post', action: '/switch-person', hidden: true },
      h('input', { type: 'hidden', name: 'csrf_token', value: csrf }),
      h('input', { type: 'hidden', name: 'next', value: window.location.pathname }),
    );
    document.body.append(form);
    form.submit();
  });
}

/** @param {Draft} draft */
function notYours(draft) {
  mount(
    root,
    h(
      'section',
      { className: 'card card--narrow' },
      h('h1', {}, t('This draft is not yours')),
      h(
        'p',
        {},
        t(
          'It belongs to %(name)s, who started it on this phone. It is kept for them and sent when they sign in again.',
          {
            name: draft.user_name || t(SOMEONE_ELSE),
          },
        ),
      ),
      h(
        'a',
        { className: 'button', href: `/login?next=/capture/draft/${draft.uuid}` },
        t('Sign in as %(name)s', { name: draft.user_name || t(ITS_AUTHOR) }),
      ),
    ),
  );
}

/**
 * What a signed-out device may show of the last person's pack: areas and checklists to find a
 * label and its andon, none of their tickets, owners or walks.
 * @param {Pack} pack
 * @returns {Pack}
 */
function publicPart(pack) {
  return {
    ...pack,
    user: null,
    walks: [],
    language: undefined,
    messages: {},
    areas: pack.areas.map((area) => ({ ...area, open_tickets: [], owner: null })),
  };
}

/** Ask the service worker to keep the pages a capture screen links to (the Scan page) in the
 * signed-in person's copy: it fetches them itself, so leaving this screen does not cut it short. */
function keepForOffline() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.active?.postMessage({ type: 'KEEP_FOR_OFFLINE' }))
    .catch(() => {});
}

/**
 * Draw the screen the address asks for.
 * @param {Pack | undefined} pack
 */
async function route(pack) {
  const path = window.location.pathname;
  let match = path.match(/^\/a\/([^/]+)\/start\/([^/]+)$/);
  if (match && pack) {
    const [, token, key] = match;
    const area = findArea(pack, token);
    if (!area || !user || !pack.templates.some((template) => template.key === key)) {
      return renderArea(root, pack, token, user);
    }
    // A second tap on "Start", or the same label opened twice: the draft already there.
    const byCode = new URLSearchParams(window.location.search).get('via') === 'code';
    const draft = (await draftFor(user, area.id, key)) || (await startDraft(pack, area, key, user, { byCode }));
    window.location.replace(`/capture/draft/${draft.uuid}`);
    return undefined;
  }
  match = path.match(/^\/a\/([^/]+)\/?$/);
  if (match && pack) {
    setPlantZone(zoneOfArea(pack, findArea(pack, match[1])?.id));
    return renderArea(root, pack, match[1], user);
  }
  match = path.match(/^\/capture\/draft\/([^/]+)$/);
  if (match) {
    const draft = await getDraft(match[1]);
    if (!draft) return renderOutbox(root, user);
    if (!user || draft.user_id !== user.id) return notYours(draft);
    setPlantZone(zoneOfArea(pack, draft.area.id));
    return renderChecklist(root, pack, draft);
  }
  if (path.startsWith('/capture/outbox')) return renderOutbox(root, user);
  if (path.startsWith('/capture/walks')) return pack ? renderWalks(root, pack, user) : needPack();
  return renderDrafts(root, user);
}

// While entries wait, try again when the first of them is due (the backoff sets when), as well
// as on load, `online` and visibility: a Wi-Fi with no uplink fires no `online` event.
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
/** @param {() => void} flush */
async function scheduleRetry(flush) {
  clearTimeout(retryTimer);
  const due = await nextAttemptAt(user);
  if (due === null) return;
  retryTimer = setTimeout(flush, Math.max(1000, due - Date.now()));
}

async function start() {
  // Render first: everything else (worker registration, device id, storage) can wait a frame.
  const device = deviceId(); // created at the first load, not at the first sync
  user = await deviceUser();
  if (!user && navigator.onLine) {
    // Just signed in (the page that learned it may not have written it yet): ask the server.
    user = await whoIsSignedIn(4)
      .then((me) => me.user)
      .catch(() => null);
  }
  let pack = await loadPack();
  // The pack holds one person's walks, tickets and language: after a switch of person the first
  // screen waits for the new person's (online), and never shows the last person's (offline).
  const someoneElses = (/** @type {Pack | undefined} */ candidate) =>
    Boolean(candidate?.user && (!user || candidate.user.id !== user.id));
  if ((!pack || someoneElses(pack)) && navigator.onLine && user) {
    await refreshPack();
    pack = await loadPack();
  }
  if (pack && someoneElses(pack)) pack = user ? undefined : publicPart(pack);
  if (user && navigator.onLine) keepForOffline();
  setPlantZone(pack?.timezone);
  useMessages(pack); // the person's language, from the pack (so offline too)
  translateMarked(); // the shell's own words: its HTML is English for everyone on the device
  // A label opened by someone not signed in: as the server does, its andon (if the area has
  // one) rather than the area screen. Offline, the area screen offers the link instead.
  const label = window.location.pathname.match(/^\/a\/([^/]+)\/?$/);
  if (!user && label && navigator.onLine && (await andonOpen(label[1], pack))) {
    window.location.replace(`/andon/${label[1]}`);
    return;
  }
  offerSwitchPerson();
  const needsPack = /^\/a\//.test(window.location.pathname);
  if (!pack && needsPack) needPack();
  else await route(pack);
  document.body.dataset.ready = 'true';
  performance.mark('gemba-screen-ready'); // read by bench/capture_bench.py
  registerServiceWorker();
  navigator.storage?.persist?.().catch(() => {});
  warnIfStorageNearlyFull();
  await device;
  await Promise.all([showPackAge(), showOutboxCount()]);

  const flush = async () => {
    // Andon reports kept here by someone without an account go too, whoever is signed in.
    import('../offline/andon-reports.js').then(({ sendKeptReports }) => sendKeptReports()).catch(() => {});
    await flushOutbox();
    await showOutboxCount();
    await scheduleRetry(flush);
  };
  onProgress(() => showOutboxCount());
  window.addEventListener('online', flush);
  window.addEventListener('gemba:outbox', async () => {
    await showOutboxCount();
    if (navigator.onLine) flush();
    else requestBackgroundSync();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') flush();
  });
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'FLUSH_OUTBOX') flush();
  });
  if ((await unsynced(user)).length) requestBackgroundSync();
  if (navigator.onLine) {
    refreshPack().then((result) => {
      document.body.dataset.pack = result; // 'updated' or 'unchanged': tests and support read it
      serverReachable = result !== 'offline';
      return showPackAge();
    });
    // The flush asks the server who is signed in (and remembers it): a different person than
    // the screen was drawn for redraws it.
    flush().then(async () => {
      const now = await deviceUser();
      if ((now?.id ?? null) !== (user?.id ?? null)) window.location.reload();
    });
  } else {
    scheduleRetry(flush);
  }
}

start().catch((error) => {
  mount(
    root,
    h(
      'section',
      { className: 'card card--narrow', role: 'alert' },
      h('h1', {}, t('This phone’s storage could not be opened')),
      h(
        'p',
        {},
        t(
          'Private browsing, or a full phone, stops the app from saving. ' +
            'Open it in a normal window, or free some space, then reload.',
        ),
      ),
      h('p', { className: 'muted' }, String(error)),
    ),
  );
});
