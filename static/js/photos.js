// Photos are made small on the phone before they are stored: long edge ≤ 1600 px, EXIF
// orientation applied, every piece of metadata (GPS included) dropped by re-encoding.
// They are kept as bytes and a type, not as Blobs: WebKit's private mode refuses Blobs in
// IndexedDB ("Error preparing Blob/File data to be stored in object store").
import { database, STORES } from './db.js';
import { RULES } from './rules.js';

const { long_edge: LONG_EDGE, thumb_edge: THUMB_EDGE } = RULES.photo;

export class PhotoUnreadable extends Error {}

function canvasOf(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function toBlob(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

async function draw(bitmap, edge) {
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const canvas = canvasOf(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the file is, in words a person knows ("HEIC", "PDF"...), from its type or name. */
export function formatOf(file) {
  const extension = (file.name || '').split('.').pop().toLowerCase();
  const type = (file.type || '').toLowerCase();
  if (type.includes('heic') || type.includes('heif') || ['heic', 'heif'].includes(extension)) return 'HEIC';
  if (type.startsWith('image/')) return type.slice(6).toUpperCase();
  if (type) return type.split('/').pop().toUpperCase();
  return extension ? extension.toUpperCase() : 'unknown';
}

/** What to tell the person when a file cannot be used as a photo. */
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

/** Turn a camera file into what is kept: {blob, thumb, sha256, width, height, type}. */
export async function compressPhoto(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new PhotoUnreadable(unreadableMessage(file));
  }
  try {
    const canvas = await draw(bitmap, LONG_EDGE);
    let blob = await toBlob(canvas, 'image/webp', RULES.photo.webp_quality);
    if (blob?.type !== 'image/webp') blob = await toBlob(canvas, 'image/jpeg', RULES.photo.jpeg_quality);
    const thumb = await toBlob(await draw(bitmap, THUMB_EDGE), 'image/jpeg', RULES.photo.thumb_quality);
    return {
      blob,
      thumb,
      sha256: await sha256Hex(blob),
      width: canvas.width,
      height: canvas.height,
      type: blob.type,
    };
  } finally {
    bitmap.close();
  }
}

/** Keep a compressed photo on the phone, as bytes. */
export async function savePhoto(uuid, compressed, owner = {}) {
  const [bytes, thumbBytes] = await Promise.all([compressed.blob.arrayBuffer(), compressed.thumb.arrayBuffer()]);
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

/** A stored photo with `blob` and `thumb` as Blobs again (records of older versions had them). */
export async function getPhoto(uuid) {
  const record = await (await database()).get(STORES.photos, uuid);
  if (!record) return undefined;
  if (record.bytes) {
    record.blob = new Blob([record.bytes], { type: record.type });
    record.thumb = new Blob([record.thumb_bytes], { type: record.thumb_type });
  }
  return record;
}

export async function deletePhotos(uuids) {
  const tx = (await database()).transaction(STORES.photos, 'readwrite');
  await Promise.all([...uuids.map((uuid) => tx.store.delete(uuid)), tx.done]);
}
