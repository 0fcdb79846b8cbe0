// Photos are made small on the phone before they are stored: long edge ≤ 1600 px, EXIF
// orientation applied, every piece of metadata (GPS included) dropped by re-encoding.
import { database } from './db.js';

const LONG_EDGE = 1600;
const THUMB_EDGE = 240;

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

/** Turn a camera file into what is kept: {blob, thumb, sha256, width, height, type}. */
export async function compressPhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const canvas = await draw(bitmap, LONG_EDGE);
    let blob = await toBlob(canvas, 'image/webp', 0.8);
    if (!blob || blob.type !== 'image/webp') blob = await toBlob(canvas, 'image/jpeg', 0.82);
    const thumb = await toBlob(await draw(bitmap, THUMB_EDGE), 'image/jpeg', 0.7);
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

export async function savePhoto(uuid, compressed) {
  await (await database()).put('photos', { uuid, ...compressed, state: 'waiting', saved_at: Date.now() });
}

export async function getPhoto(uuid) {
  return (await database()).get('photos', uuid);
}

export async function deletePhotos(uuids) {
  const tx = (await database()).transaction('photos', 'readwrite');
  await Promise.all([...uuids.map((uuid) => tx.store.delete(uuid)), tx.done]);
}
