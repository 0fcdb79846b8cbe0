// The sync engine: photos first, then each outbox entry as one batch. Safe to run at any
// time and any number of times: the server is idempotent and every answer is explicit.
import { deviceId } from './db.js';
import { allEntries, update } from './outbox.js';
import { deletePhotos, getPhoto } from './photos.js';

let running = null;
const listeners = new Set();

export function onProgress(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function report(progress) {
  listeners.forEach((listener) => listener(progress));
}

class Stop extends Error {
  constructor(state, message) {
    super(message);
    this.state = state;
  }
}

async function errorOf(response) {
  try {
    const body = await response.json();
    return body.error || { code: 'error', message: response.statusText };
  } catch {
    return { code: 'error', message: `The server answered ${response.status}.` };
  }
}

async function freshToken() {
  const response = await fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) throw new Stop('signin', 'Your session has ended. Sign in to send.');
  if (!response.ok) throw new Stop('waiting', 'The server is not answering; will retry.');
  return (await response.json()).csrf_token;
}

async function uploadPhoto(uuid, csrf) {
  const photo = await getPhoto(uuid);
  if (!photo) throw new Stop('attention', `A photo of this record is missing on this phone (${uuid}).`);
  const response = await fetch(`/api/v1/photos/${uuid}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'Content-Type': photo.type, 'X-Content-SHA256': photo.sha256, 'X-CSRFToken': csrf },
    body: photo.blob,
  });
  if (response.ok) return photo.blob.size;
  const error = await errorOf(response);
  if (response.status === 401) throw new Stop('signin', 'Your session has ended. Sign in to send.');
  if (response.status >= 500 || error.code === 'sha256_mismatch') throw new Stop('waiting', error.message);
  throw new Stop('attention', `Photo refused: ${error.message}`);
}

const PHOTO_UPLOADS_IN_FLIGHT = 3;

async function inParallel(items, limit, task) {
  const queue = [...items];
  const worker = async () => {
    while (queue.length) await task(queue.shift());
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

async function sendBatch(entry, csrf) {
  const body = JSON.stringify({
    batch_id: entry.batch_id,
    device_id: await deviceId(),
    audits: entry.audit ? [entry.audit] : [],
    findings: entry.findings,
    // only when present: an entry's bytes never change between retries
    ...(entry.ticket_notes?.length ? { ticket_notes: entry.ticket_notes } : {}),
  });
  return fetch('/api/v1/sync', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
    body,
  });
}

async function syncEntry(entry, csrf, progress) {
  await update(entry.uuid, { state: 'sending', message: '' });
  // A few photos in flight at once: the server checks one while the next is on the wire.
  await inParallel(entry.photo_uuids, PHOTO_UPLOADS_IN_FLIGHT, async (uuid) => {
    progress.bytes += await uploadPhoto(uuid, csrf);
    report(progress);
  });
  let response = await sendBatch(entry, csrf);
  if (response.status === 409) {
    const error = await errorOf(response);
    if (error.code === 'photos_missing') {
      await inParallel(error.details.missing, PHOTO_UPLOADS_IN_FLIGHT, (uuid) => uploadPhoto(uuid, csrf));
      response = await sendBatch(entry, csrf);
    } else {
      throw new Stop('attention', error.message);
    }
  }
  if (response.ok) {
    const result = await response.json();
    await update(entry.uuid, { state: 'synced', result, synced_at: new Date().toISOString() });
    await deletePhotos(entry.photo_uuids);
    return;
  }
  const error = await errorOf(response);
  if (response.status === 401) throw new Stop('signin', 'Your session has ended. Sign in to send.');
  if (response.status >= 500) throw new Stop('waiting', 'The server had a problem; will retry.');
  const details = Array.isArray(error.details) ? error.details.map((d) => d.message).join(' ') : '';
  throw new Stop('attention', `${error.message} ${details}`.trim());
}

async function flush() {
  const pending = (await allEntries()).filter((e) => ['waiting', 'sending', 'signin'].includes(e.state));
  if (!pending.length) return { sent: 0, left: 0 };
  const progress = {
    total: pending.length,
    done: 0,
    bytes: 0,
    totalBytes: pending.reduce((sum, entry) => sum + entry.bytes, 0),
  };
  report(progress);
  let csrf;
  try {
    csrf = await freshToken();
  } catch (error) {
    const state = error instanceof Stop ? error.state : 'waiting';
    const message = error instanceof Stop ? error.message : 'No connection; will retry.';
    for (const entry of pending) await update(entry.uuid, { state, message });
    report({ ...progress, finished: true, stopped: state });
    return { sent: 0, left: pending.length, stopped: state };
  }
  for (const entry of pending) {
    try {
      await syncEntry(entry, csrf, progress);
      progress.done += 1;
      report(progress);
    } catch (error) {
      const state = error instanceof Stop ? error.state : 'waiting';
      const message = error instanceof Stop ? error.message : 'The connection dropped; will retry.';
      await update(entry.uuid, { state, message });
      if (state !== 'attention') {
        // The network, the server or the session failed: the rest waits for the next flush.
        for (const rest of pending.slice(pending.indexOf(entry) + 1)) {
          await update(rest.uuid, { state, message });
        }
        report({ ...progress, finished: true, stopped: state });
        return { sent: progress.done, left: pending.length - progress.done, stopped: state };
      }
    }
  }
  report({ ...progress, finished: true });
  return { sent: progress.done, left: pending.length - progress.done };
}

/** Send everything waiting; concurrent calls share one run. */
export function flushOutbox() {
  if (!running) {
    const marker = globalThis.document?.documentElement;
    if (marker) marker.dataset.sync = 'running';
    running = flush().finally(() => {
      running = null;
      if (marker) marker.dataset.sync = 'idle';
    });
  }
  return running;
}

/** Ask for Background Sync where the browser has it (Chromium); others flush on events. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register('gemba-outbox');
  } catch {
    // not supported or not allowed: the page flushes on load, online and visibility instead
  }
}
