// @ts-check
// What this phone can still keep. `navigator.storage.estimate()` may report a quota far larger than
// the one enforced (a field trial saw 10 GB reported, 8 MB enforced), so the room for a photo is
// measured by writing that many bytes once and deleting them.
import { database, STORES } from './db.js';

/** Kept free beyond any photo, so the draft's text and its outbox entry can always be saved. */
export const RESERVE_BYTES = 256 * 1024;

/**
 * Random bytes: a Blob where the browser stores Blobs (Chromium counts them against the quota at
 * once), else an ArrayBuffer (WebKit's private mode refuses Blobs in IndexedDB; photos are kept
 * as bytes for the same reason, photos.js).
 * @param {number} size
 * @param {boolean} asBlob
 */
function incompressible(size, asBlob) {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, size)));
  return asBlob ? new Blob([bytes]) : bytes.buffer;
}

/**
 * Whether `bytes` more (plus the reserve) can be written now: a probe write, deleted at once.
 * @param {number} bytes
 * @returns {Promise<boolean>}
 */
export async function roomFor(bytes) {
  const db = await database();
  try {
    for (const asBlob of [true, false]) {
      try {
        await db.put(STORES.meta, incompressible(bytes + RESERVE_BYTES, asBlob), 'room_probe');
        return true;
      } catch (error) {
        const name = /** @type {any} */ (error)?.name;
        if (name === 'QuotaExceededError') return false;
        if (!asBlob || (name !== 'UnknownError' && name !== 'DataCloneError')) throw error;
      }
    }
    return true;
  } finally {
    await db.delete(STORES.meta, 'room_probe').catch(() => {});
  }
}

/** Ask once that the browser never evicts what the app keeps (drafts, photos, the outbox). */
export async function askToKeepStorage() {
  try {
    return Boolean(await navigator.storage?.persist?.());
  } catch {
    return false;
  }
}
