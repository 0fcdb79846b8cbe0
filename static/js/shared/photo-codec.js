// @ts-check
// Shrinking a photo: decode with its EXIF orientation, draw at most `long_edge` px, encode WebP
// (JPEG where WebP encoding is missing), a small JPEG thumbnail, SHA-256 of what is kept.
// The same code runs in the photo worker (OffscreenCanvas) and, where a browser has no worker
// canvas, on the page (a <canvas>); it touches the DOM only in that second case.
import { RULES } from './rules.js';

const { long_edge: LONG_EDGE, thumb_edge: THUMB_EDGE } = RULES.photo;

/** @typedef {OffscreenCanvas | HTMLCanvasElement} AnyCanvas */

/**
 * A photo made small, as kept on the phone.
 * @typedef {object} CompressedPhoto
 * @property {Blob} blob the photo (WebP, or JPEG)
 * @property {Blob} thumb a JPEG thumbnail
 * @property {string} sha256 hex digest of `blob`
 * @property {number} width
 * @property {number} height
 * @property {string} type the photo's media type
 */

/** The file could not be decoded as an image (HEIC in most browsers, a PDF, a damaged file). */
export class Undecodable extends Error {}

/** @returns {boolean} whether this context can draw and encode off the page (OffscreenCanvas) */
export function hasOffscreenCanvas() {
  return typeof OffscreenCanvas !== 'undefined' && 'convertToBlob' in OffscreenCanvas.prototype;
}

/**
 * @param {number} width
 * @param {number} height
 * @returns {AnyCanvas}
 */
function canvasOf(width, height) {
  // In the worker there is no document; on the page a <canvas>, as before the worker existed.
  if (typeof document === 'undefined') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/**
 * @param {AnyCanvas} canvas
 * @param {string} type
 * @param {number} quality
 * @returns {Promise<Blob | null>}
 */
function encode(canvas, type, quality) {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type, quality }).catch(() => null);
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/**
 * @param {ImageBitmap} bitmap
 * @param {number} edge the longest side, in pixels
 * @returns {AnyCanvas}
 */
function draw(bitmap, edge) {
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const canvas = canvasOf(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
  const context = /** @type {CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null} */ (
    canvas.getContext('2d')
  );
  if (!context) throw new Error('No 2D canvas here.');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * @param {Blob} blob
 * @returns {Promise<string>} the SHA-256 of the blob's bytes, in hex
 */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Decode, shrink, encode and hash one camera file.
 * @param {Blob} file
 * @returns {Promise<CompressedPhoto>}
 * @throws {Undecodable} when the file is not an image this browser can read
 */
export async function shrinkPhoto(file) {
  /** @type {ImageBitmap} */
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Undecodable('The file could not be decoded as an image.');
  }
  try {
    const canvas = draw(bitmap, LONG_EDGE);
    let blob = await encode(canvas, 'image/webp', RULES.photo.webp_quality);
    if (blob?.type !== 'image/webp') blob = await encode(canvas, 'image/jpeg', RULES.photo.jpeg_quality);
    const thumb = await encode(draw(bitmap, THUMB_EDGE), 'image/jpeg', RULES.photo.thumb_quality);
    if (!blob || !thumb) throw new Error('The photo could not be encoded.');
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
