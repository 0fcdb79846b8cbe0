// @ts-check
// The sync engine: photos first, then each outbox entry as one batch. Safe to run at any
// time and any number of times: the server is idempotent and every answer is explicit.
//
// Only the signed-in person's entries are sent (the server is asked who that is). An entry that
// fails waits its own time before the next try — seconds at first, then minutes, with jitter —
// and never holds up the entries behind it. A 4xx needs a person ("Needs attention": retry,
// download or discard); a 5xx or a dropped connection is tried again later by itself.
import { deviceUser, errorOf, Offline, postJson, sendWithin, whoIsSignedIn } from '../shared/api.js';
import { N_, t } from '../shared/i18n.js';
import { deviceId } from './db.js';
import { allEntries, belongsTo, update } from './outbox.js';
import { deletePhotos, getPhoto } from './photos.js';

/** @typedef {import('../shared/types').OutboxEntry} OutboxEntry */
/** @typedef {import('../shared/types').OutboxState} OutboxState */
/** @typedef {import('../shared/types').ApiError} ApiError */
/** @typedef {import('../shared/types').User} User */
/**
 * How a run is going, for the screens: entries and bytes sent so far.
 * @typedef {object} Progress
 * @property {number} total
 * @property {number} done
 * @property {number} bytes
 * @property {number} totalBytes
 * @property {boolean} [finished]
 * @property {OutboxState} [stopped]
 */
/** @typedef {{sent: number, left: number, stopped?: OutboxState | 'offline'}} RunResult */

/** @type {Promise<RunResult> | null} */
let running = null;
/** @type {Set<(progress: Progress) => void>} */
const listeners = new Set();

/**
 * @param {(progress: Progress) => void} listener
 * @returns {() => boolean} call it to stop listening
 */
export function onProgress(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let lastActivity = 0;

/** @param {Progress} progress */
function report(progress) {
  lastActivity = Date.now();
  for (const listener of listeners) listener(progress);
}

/** Why an entry stopped, and what state it is left in. `everyone` stops the whole run. */
class Stop extends Error {
  /**
   * @param {OutboxState} state
   * @param {string} message
   * @param {{everyone?: boolean}} [options]
   */
  constructor(state, message, { everyone = false } = {}) {
    super(message);
    this.state = state;
    this.everyone = everyone;
  }
}

const BACKOFF_FIRST_MS = 5_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/**
 * How long an entry waits after its n-th failure: 5 s, 10 s, 20 s... up to 10 min, ±25 %.
 * @param {number} attempts
 * @param {() => number} [random]
 * @returns {number} milliseconds
 */
export function backoff(attempts, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

const SESSION_ENDED = N_('Your session has ended. Sign in to send.'); // t() where it is said

/**
 * @param {string} uuid
 * @param {string} csrf
 * @returns {Promise<number>} the bytes sent
 */
async function uploadPhoto(uuid, csrf) {
  const photo = await getPhoto(uuid);
  if (!photo) throw new Stop('attention', t('A photo of this record is missing on this phone (%(uuid)s).', { uuid }));
  const response = await sendWithin(
    `/api/v1/photos/${uuid}`,
    csrf,
    {
      method: 'PUT',
      headers: { 'Content-Type': photo.type, 'X-Content-SHA256': photo.sha256 },
      body: photo.bytes || photo.blob,
    },
    120,
  );
  if (response.ok) return photo.size || photo.blob.size;
  const error = await errorOf(response);
  if (response.status === 401) throw new Stop('signin', t(SESSION_ENDED), { everyone: true });
  if (response.status >= 500 || error.code === 'sha256_mismatch') throw new Stop('waiting', error.message);
  throw new Stop('attention', t('Photo refused: %(reason)s', { reason: error.message }));
}

const PHOTO_UPLOADS_IN_FLIGHT = 3;

/**
 * @template T
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<unknown>} task
 */
async function inParallel(items, limit, task) {
  const queue = [...items];
  const worker = async () => {
    while (queue.length) await task(/** @type {T} */ (queue.shift()));
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/**
 * @param {OutboxEntry} entry
 * @param {string} csrf
 * @returns {Promise<Response>}
 */
async function sendBatch(entry, csrf) {
  return postJson('/api/v1/sync', csrf, {
    batch_id: entry.batch_id,
    device_id: await deviceId(),
    ...(entry.author_in_batch ? { author_id: entry.user_id } : {}),
    audits: entry.audit ? [entry.audit] : [],
    findings: entry.findings,
    // only when present: an entry's bytes never change between retries
    ...(entry.ticket_notes?.length ? { ticket_notes: entry.ticket_notes } : {}),
  });
}

/**
 * @param {ApiError} error
 * @returns {string}
 */
function refusal(error) {
  const details = Array.isArray(error.details)
    ? error.details.map((/** @type {{message: string}} */ d) => d.message).join(' ')
    : '';
  return `${error.message} ${details}`.trim();
}

/**
 * @param {OutboxEntry} entry
 * @param {string} csrf
 * @param {Progress} progress
 */
async function syncEntry(entry, csrf, progress) {
  await update(entry.uuid, { state: 'sending', message: '' });
  lastActivity = Date.now();
  // A few photos in flight at once: the server checks one while the next is on the wire.
  await inParallel(entry.photo_uuids, PHOTO_UPLOADS_IN_FLIGHT, async (uuid) => {
    progress.bytes += await uploadPhoto(uuid, csrf);
    report(progress);
  });
  let response = await sendBatch(entry, csrf);
  if (response.status === 409) {
    const error = await errorOf(response);
    if (error.code !== 'photos_missing') throw new Stop('attention', refusal(error));
    const { missing } = /** @type {{missing: string[]}} */ (error.details);
    await inParallel(missing, PHOTO_UPLOADS_IN_FLIGHT, (uuid) => uploadPhoto(uuid, csrf));
    response = await sendBatch(entry, csrf);
  }
  if (response.ok) {
    const result = await response.json();
    await update(entry.uuid, { state: 'synced', message: '', result, synced_at: new Date().toISOString() });
    await deletePhotos(entry.photo_uuids);
    return;
  }
  const error = await errorOf(response);
  if (response.status === 401) throw new Stop('signin', t(SESSION_ENDED), { everyone: true });
  if (response.status >= 500) throw new Stop('waiting', t('The server had a problem; will retry.'));
  throw new Stop('attention', refusal(error));
}

/** @type {OutboxState[]} */
const SENDABLE = ['waiting', 'sending', 'signin'];

/**
 * @param {{force?: boolean}} [options]
 * @returns {Promise<RunResult>}
 */
async function flush({ force = false } = {}) {
  let me;
  const before = await deviceUser();
  try {
    me = await whoIsSignedIn();
  } catch {
    report({ total: 0, done: 0, bytes: 0, totalBytes: 0, finished: true, stopped: 'waiting' });
    return { sent: 0, left: 0, stopped: 'offline' };
  }
  if (me.user) {
    // Entries made before entries had an author go out under whoever signs in first.
    for (const entry of await allEntries()) {
      if (entry.user_id === undefined) await update(entry.uuid, { user_id: me.user.id, user_name: me.user.name });
    }
  }
  const mine = (await allEntries()).filter((e) => belongsTo(e, me.user) && SENDABLE.includes(e.state));
  if (!me.user) {
    // The session ended: the last person's entries wait until they sign in again.
    for (const entry of await allEntries()) {
      if (belongsTo(entry, before) && SENDABLE.includes(entry.state)) {
        await update(entry.uuid, { state: 'signin', message: t(SESSION_ENDED) });
      }
    }
    report({ total: 0, done: 0, bytes: 0, totalBytes: 0, finished: true, stopped: 'signin' });
    return { sent: 0, left: 0, stopped: 'signin' };
  }
  const now = Date.now();
  const pending = mine.filter((entry) => force || !(entry.next_attempt_at > now));
  if (!pending.length) return { sent: 0, left: mine.length };
  const progress = {
    total: pending.length,
    done: 0,
    bytes: 0,
    totalBytes: pending.reduce((sum, entry) => sum + entry.bytes, 0),
  };
  report(progress);
  for (const entry of pending) {
    try {
      await syncEntry(entry, me.csrf, progress);
      progress.done += 1;
      report(progress);
    } catch (failure) {
      const stop =
        failure instanceof Stop
          ? failure
          : new Stop('waiting', t('The connection dropped; will retry.'), { everyone: failure instanceof Offline });
      const attempts = (entry.attempts || 0) + 1;
      const wait = stop.state === 'waiting' ? backoff(attempts) : 0;
      await update(entry.uuid, {
        state: stop.state,
        message:
          stop.state === 'waiting'
            ? [stop.message, t('Next try in %(seconds)s s.', { seconds: Math.round(wait / 1000) })].join(' ')
            : stop.message,
        attempts,
        next_attempt_at: Date.now() + wait,
      });
      if (stop.everyone) {
        // The network or the session failed: the rest cannot go now either.
        if (stop.state === 'signin') {
          for (const rest of pending.slice(pending.indexOf(entry) + 1)) {
            await update(rest.uuid, { state: 'signin', message: stop.message });
          }
        }
        report({ ...progress, finished: true, stopped: stop.state });
        return { sent: progress.done, left: pending.length - progress.done, stopped: stop.state };
      }
      // Only this entry failed: the ones behind it still go.
    }
  }
  report({ ...progress, finished: true });
  return { sent: progress.done, left: pending.length - progress.done };
}

// A run that makes no progress for this long is abandoned (a browser's storage can stop
// answering — WebKit was seen to — and "Sending 1 of 1" must not last forever). The server is
// idempotent, so a run abandoned mid-way that wakes up later does no harm.
const STALLED_MS = 150_000;

/** Send everything of the signed-in person that is due; concurrent calls share one run.
 * `force` (the "Sync now" button) also sends entries still waiting out their backoff.
 * @param {{force?: boolean}} [options]
 * @returns {Promise<RunResult>}
 */
export function flushOutbox(options = {}) {
  if (running && Date.now() - lastActivity > STALLED_MS) running = null;
  if (!running) {
    const marker = globalThis.document?.documentElement;
    if (marker) marker.dataset.sync = 'running';
    lastActivity = Date.now();
    const run = flush(options).finally(() => {
      if (running === run) {
        running = null;
        if (marker) marker.dataset.sync = 'idle';
      }
    });
    running = run;
  }
  return running;
}

/**
 * When the next entry of this person is due for another try (ms since the epoch), or null.
 * @param {User | null} user
 * @returns {Promise<number | null>}
 */
export async function nextAttemptAt(user) {
  const due = (await allEntries())
    .filter((e) => belongsTo(e, user) && e.state === 'waiting')
    .map((e) => e.next_attempt_at || 0);
  return due.length ? Math.min(...due) : null;
}

/** Ask for Background Sync where the browser has it (Chromium); others flush on events. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    // Background Sync is not in TypeScript's DOM library (Chromium only).
    const withSync = /** @type {{sync?: {register(tag: string): Promise<void>}} | undefined} */ (registration);
    await withSync?.sync?.register('gemba-outbox');
  } catch {
    // not supported or not allowed: the page flushes on load, online, visibility and a timer
  }
}
