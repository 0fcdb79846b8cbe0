// @ts-check
// The photo worker: shrinks photos off the page's thread (OffscreenCanvas), so the screen stays
// responsive while a 12 MP photo is decoded and encoded. Built as its own bundle by
// static/build.mjs and precached by the service worker, so it works offline.
//
// Asked: {id, file}. Answers: {id, photo} or {id, error}.
import { shrinkPhoto } from '../shared/photo-codec.js';

/** @typedef {{id: number, photo?: import('../shared/photo-codec.js').CompressedPhoto, error?: string}} Answer */
/** @typedef {(event: MessageEvent<{id: number, file: Blob}>) => void} OnAsked */
/**
 * What this script needs of its worker scope (lib "webworker" and lib "dom" clash in one check).
 * @typedef {object} WorkerScope
 * @property {(message: Answer) => void} postMessage
 * @property {(type: 'message', listener: OnAsked) => void} addEventListener
 */
const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

scope.addEventListener('message', async (event) => {
  const { id, file } = event.data;
  try {
    scope.postMessage({ id, photo: await shrinkPhoto(file) });
  } catch (error) {
    scope.postMessage({ id, error: String(error) });
  }
});
