// @ts-check
// Photos are made small on the phone before they are stored: long edge ≤ 1600 px, EXIF
// orientation applied, every piece of metadata (GPS included) dropped by re-encoding.
// They are kept as bytes and a type, not as Blobs: WebKit's private mode refuses Blobs in
// IndexedDB ("Error preparing Blob/File data to be stored in object store").

import { hasOffscreenCanvas, shrinkPhoto, Undecodable } from '../shared/photo-codec.js';
import { database, STORES } from './db.js';

/** @typedef {import('../shared/photo-codec.js').CompressedPhoto} CompressedPhoto */
/** @typedef {import('../shared/types').StoredPhoto} StoredPhoto */
/** @typedef {StoredPhoto & {blob: Blob, thumb: Blob}} Photo a stored photo, its bytes as Blobs again */

export class PhotoUnreadable extends Error {}

// The photo worker's address, set by static/build.mjs (esbuild `define`); absent in the sources.
const WORKER_URL = typeof __PHOTO_WORKER_URL__ === 'string' ? __PHOTO_WORKER_URL__ : null;

/** @type {Worker | null} */
let worker = null;
let workerBroken = false;
let nextJob = 0;
/** @type {Map<number, {resolve: (photo: CompressedPhoto) => void, reject: (error: Error) => void}>} */
const jobs = new Map();

class WorkerFailed extends Error {}

/** The photo worker, started on first use; null where it cannot run (then the page shrinks). */
function photoWorker() {
  if (worker || workerBroken) return worker;
  if (!WORKER_URL || typeof Worker === 'undefined' || !hasOffscreenCanvas()) return null;
  try {
    worker = new Worker(WORKER_URL, { name: 'photos' });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.addEventListener('message', (event) => {
    const { id, photo, error } = event.data;
    const job = jobs.get(id);
    jobs.delete(id);
    if (photo) job?.resolve(photo);
    else job?.reject(new WorkerFailed(error));
  });
  worker.addEventListener('error', () => {
    // The script did not load (or crashed): every photo is shrunk on the page from now on.
    workerBroken = true;
    worker?.terminate();
    worker = null;
    for (const job of jobs.values()) job.reject(new WorkerFailed('The photo worker stopped.'));
    jobs.clear();
  });
  return worker;
}

/**
 * @param {Worker} target
 * @param {Blob} file
 * @returns {Promise<CompressedPhoto>}
 */
function inWorker(target, file) {
  return new Promise((resolve, reject) => {
    nextJob += 1;
    jobs.set(nextJob, { resolve, reject });
    target.postMessage({ id: nextJob, file });
  });
}

/**
 * What the file is, in words a person knows ("HEIC", "PDF"...), from its type or name.
 * @param {{name?: string, type?: string}} file
 * @returns {string}
 */
export function formatOf(file) {
  const extension = (file.name || '').split('.').pop()?.toLowerCase() || '';
  const type = (file.type || '').toLowerCase();
  if (type.includes('heic') || type.includes('heif') || ['heic', 'heif'].includes(extension)) return 'HEIC';
  if (type.startsWith('image/')) return type.slice(6).toUpperCase();
  if (type) return type.slice(type.lastIndexOf('/') + 1).toUpperCase();
  return extension ? extension.toUpperCase() : 'unknown';
}

/**
 * What to tell the person when a file cannot be used as a photo.
 * @param {{name?: string, type?: string}} file
 * @returns {string}
 */
export function unreadableMessage(file) {
  const name = file.name || 'This file';
  const format = formatOf(file);
  if (format === 'HEIC') {
    return (
      `${name}: this browser cannot read HEIC photos. On an iPhone, set Settings → Camera → Formats → ` +
      '“Most Compatible”, or share the photo as JPEG, then add it again.'
    );
  }
  if (!(file.type || '').startsWith('image/') && format !== 'unknown') {
    return `${name} is a ${format} file, not a photo. Choose a JPEG, PNG or WebP photo, or take one with the camera.`;
  }
  return (
    `${name} (${format}) could not be read as a photo; the file may be damaged. ` +
    'Take the photo again, or choose a JPEG or PNG.'
  );
}

/**
 * Shrink on this page's thread: where no worker can draw (no OffscreenCanvas), or it failed.
 * @param {Blob & {name?: string}} file a camera file, or a marked-up photo
 * @returns {Promise<CompressedPhoto>}
 */
export async function compressOnMainThread(file) {
  try {
    return await shrinkPhoto(file);
  } catch (error) {
    if (error instanceof Undecodable) throw new PhotoUnreadable(unreadableMessage(file));
    throw error;
  }
}

/**
 * Turn a camera file into what is kept: {blob, thumb, sha256, width, height, type}. The work is
 * done in the photo worker where the browser has one that can draw, so the screen stays
 * responsive; on the page otherwise.
 * @param {Blob & {name?: string}} file a camera file, or a marked-up photo
 * @returns {Promise<CompressedPhoto>}
 * @throws {PhotoUnreadable} with a message for the person when the file is not a usable photo
 */
export async function compressPhoto(file) {
  const target = photoWorker();
  if (target) {
    try {
      return await inWorker(target, file);
    } catch {
      // Undecodable in the worker, or the worker failed: the page tries itself (a browser may
      // decode on the page what its worker cannot) and gives the person's message if it fails.
    }
  }
  return compressOnMainThread(file);
}

/**
 * Keep a compressed photo on the phone, as bytes.
 * @param {string} uuid
 * @param {CompressedPhoto} compressed
 * @param {{user_id?: number}} [owner]
 */
export async function savePhoto(uuid, compressed, owner = {}) {
  const [bytes, thumbBytes] = await Promise.all([compressed.blob.arrayBuffer(), compressed.thumb.arrayBuffer()]);
  /** @type {StoredPhoto} */
  const record = {
    uuid,
    bytes,
    type: compressed.type,
    thumb_bytes: thumbBytes,
    thumb_type: compressed.thumb.type || 'image/jpeg',
    size: compressed.blob.size,
    sha256: compressed.sha256,
    width: compressed.width,
    height: compressed.height,
    state: 'waiting',
    saved_at: Date.now(),
    ...owner,
  };
  await (await database()).put(STORES.photos, record);
}

/**
 * A stored photo with `blob` and `thumb` as Blobs again (records of older versions had them).
 * @param {string} uuid
 * @returns {Promise<Photo | undefined>}
 */
export async function getPhoto(uuid) {
  const record = await (await database()).get(STORES.photos, uuid);
  if (!record) return undefined;
  if (record.bytes) {
    record.blob = new Blob([record.bytes], { type: record.type });
    record.thumb = new Blob(record.thumb_bytes ? [record.thumb_bytes] : [], { type: record.thumb_type });
  }
  return /** @type {Photo} */ (record);
}

/**
 * Every photo a finding holds: those it shows and the originals of the marked-up ones.
 * @param {{photo_uuids?: string[], photo_originals?: Record<string, string>}} finding
 * @returns {string[]}
 */
export function photosOfFinding(finding) {
  return [...(finding.photo_uuids || []), ...Object.values(finding.photo_originals || {})];
}

/** @param {string[]} uuids */
export async function deletePhotos(uuids) {
  const tx = (await database()).transaction(STORES.photos, 'readwrite');
  await Promise.all([...uuids.map((uuid) => tx.store.delete(uuid)), tx.done]);
}
