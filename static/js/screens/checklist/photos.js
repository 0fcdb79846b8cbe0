// @ts-check
// Photos on a finding: the picker (compress, keep as bytes, say what happened), thumbnails, and
// markup (arrow, circle, freehand, a label) before the finding is sent. A marked-up photo takes
// its place on the finding; the photo as taken is kept beside it (finding.photo_originals).
import { newId } from '../../offline/db.js';
import { saveDraft } from '../../offline/drafts.js';
import {
  compressPhoto,
  deletePhotos,
  getPhoto,
  PhotoUnreadable,
  savePhoto,
  unreadableMessage,
} from '../../offline/photos.js';
import { roomFor } from '../../offline/storage.js';
import { N_, t } from '../../shared/i18n.js';
import { markUpPhoto } from '../../shared/markup.js';
import { MAX_PHOTOS_PER_FINDING, photoFits } from '../../shared/rules.js';
import { h } from '../../shared/ui.js';

/** @typedef {import('../../shared/types').Draft} Draft */
/** @typedef {import('../../shared/types').DraftFinding} DraftFinding */

// Marked where Babel's JavaScript extractor sees them (it misses some calls inside expressions).
const THE_PHOTO = N_('The photo');

/**
 * Open the editor on a finding's photo (always on the photo as taken, so marking up again starts
 * afresh); with marks, the marked-up photo replaces it on the finding, the original kept beside.
 * @param {Draft} draft
 * @param {DraftFinding} finding
 * @param {string} uuid the photo on the finding
 * @param {number} number its place, from 1
 * @param {HTMLElement} status where what happens is said
 */
async function markUp(draft, finding, uuid, number, status) {
  const originalUuid = finding.photo_originals?.[uuid] || uuid;
  const original = await getPhoto(originalUuid);
  if (!original) return false;
  const choice = await markUpPhoto(original, { title: t('Mark up photo %(number)s', { number }) });
  if (!choice?.marked) return false;
  status.replaceChildren(h('p', {}, t('Keeping the marked-up photo…')));
  const marked = await compressPhoto(choice.marked);
  const markedUuid = newId();
  await savePhoto(markedUuid, marked, { user_id: draft.user_id });
  const replaced = uuid !== originalUuid ? uuid : null; // an earlier markup of the same photo
  const originals = { ...(finding.photo_originals || {}), [markedUuid]: originalUuid };
  if (replaced) delete originals[replaced];
  finding.photo_originals = originals;
  finding.photo_uuids = finding.photo_uuids.map((u) => (u === uuid ? markedUuid : u));
  await saveDraft(draft);
  if (replaced) await deletePhotos([replaced]);
  status.replaceChildren(
    h(
      'p',
      {},
      t('Marked-up photo kept; the original is kept with it (%(size)s kB).', {
        size: Math.round(marked.blob.size / 1024),
      }),
    ),
  );
  return true;
}

/**
 * @param {Draft} draft
 * @param {DraftFinding} finding
 * @param {HTMLElement} container
 * @param {HTMLElement} status
 */
async function thumbnails(draft, finding, container, status) {
  container.replaceChildren();
  for (const [index, uuid] of finding.photo_uuids.entries()) {
    const photo = await getPhoto(uuid);
    if (!photo) continue;
    const url = URL.createObjectURL(photo.thumb);
    const original = finding.photo_originals?.[uuid];
    container.append(
      h(
        'figure',
        { className: 'thumb-wrap' },
        h('img', {
          className: 'thumb',
          src: url,
          alt: original
            ? t('Photo %(number)s, marked up', { number: index + 1 })
            : t('Photo %(number)s', { number: index + 1 }),
          width: 72,
          height: 72,
        }),
        h(
          'button',
          {
            type: 'button',
            className: 'button button--quiet thumb-markup',
            'aria-label': original
              ? t('Mark up photo %(number)s again', { number: index + 1 })
              : t('Mark up photo %(number)s', { number: index + 1 }),
            onclick: async () => {
              if (await markUp(draft, finding, uuid, index + 1, status)) {
                await thumbnails(draft, finding, container, status);
              }
            },
          },
          original ? t('Marked up ✎') : t('Mark up ✎'),
        ),
        h(
          'button',
          {
            type: 'button',
            className: 'button button--quiet thumb-remove',
            'aria-label': t('Remove photo %(number)s', { number: index + 1 }),
            onclick: async () => {
              finding.photo_uuids = finding.photo_uuids.filter((u) => u !== uuid);
              if (original && finding.photo_originals) delete finding.photo_originals[uuid];
              await saveDraft(draft);
              await deletePhotos(original ? [uuid, original] : [uuid]);
              await thumbnails(draft, finding, container, status);
            },
          },
          '✕',
        ),
      ),
    );
  }
}

/**
 * @param {Draft} draft
 * @param {DraftFinding} finding
 * @param {string} labelText
 */
export function photoPicker(draft, finding, labelText) {
  const list = h('div', { className: 'thumbs', 'aria-live': 'polite' });
  const status = h('div', { className: 'hint photo-status', role: 'status' });
  const inputId = `photo-${finding.uuid}`;
  const input = h('input', {
    id: inputId,
    className: 'photo-input',
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    multiple: true,
    onchange: async (event) => {
      const files = [...(event.target.files || [])];
      event.target.value = '';
      /** @type {{text: string, bad?: boolean}[]} */
      const lines = [];
      const say = () =>
        status.replaceChildren(...lines.map((line) => h('p', { className: line.bad ? 'error' : '' }, line.text)));
      for (const [index, file] of files.entries()) {
        if (!photoFits(finding.photo_uuids.length)) {
          // The server keeps no more on a finding (field rules' limits): refuse it here, not at sync.
          lines.push({
            text: t('%(count)s photos is the most a finding keeps: %(left)s photo(s) not added.', {
              count: MAX_PHOTOS_PER_FINDING,
              left: files.length - index,
            }),
            bad: true,
          });
          say();
          break;
        }
        lines.push({ text: t('Preparing photo %(number)s of %(count)s…', { number: index + 1, count: files.length }) });
        say();
        try {
          const compressed = await compressPhoto(file);
          const size = compressed.blob.size + compressed.thumb.size;
          if (!(await roomFor(size))) {
            // Refused before anything is written: the draft and the photos kept stay whole.
            lines[lines.length - 1] = { text: noRoomMessage(file), bad: true };
            say();
            continue;
          }
          const uuid = newId();
          await savePhoto(uuid, compressed, { user_id: draft.user_id });
          finding.photo_uuids.push(uuid);
          await saveDraft(draft);
          lines[lines.length - 1] = {
            text: t('Photo kept (%(size)s kB).', { size: Math.round(compressed.blob.size / 1024) }),
          };
          // Room for two more like it, or a warning: the browser's own count of what is used lags
          // behind the writes, so one photo's margin was seen to be too little.
          if (!(await roomFor(3 * size))) {
            lines.push({
              text: t('This phone’s storage is nearly full: the next photo may not fit. Sync when you can.'),
              bad: true,
            });
          }
        } catch (error) {
          const text = error instanceof PhotoUnreadable ? error.message : storageMessage(file, error);
          lines[lines.length - 1] = { text, bad: true };
        }
        say();
      }
      await thumbnails(draft, finding, list, status);
    },
  });
  thumbnails(draft, finding, list, status);
  return h(
    'div',
    { className: 'photo-picker' },
    input,
    h('label', { className: 'button', for: inputId }, labelText),
    status,
    list,
  );
}

/** No room for the photo: what to do about it.
 * @param {{name?: string}} file
 */
function noRoomMessage(file) {
  return t(
    '%(name)s was not kept: there is no room for it on this phone. ' +
      'Sync now, or remove a photo you do not need, to make room.',
    { name: file.name || t(THE_PHOTO) },
  );
}

/** The photo was read, but the phone could not keep it: say so, and not blame the file.
 * @param {{name?: string, type?: string}} file
 * @param {any} error what the storage threw (anything may be thrown)
 */
function storageMessage(file, error) {
  if (error?.name === 'QuotaExceededError') return noRoomMessage(file);
  if (error?.name === 'DataCloneError' || error?.name === 'UnknownError') {
    return t(
      '%(name)s could not be kept: this browser does not let the app store photos (private browsing?). ' +
        'Open Gemba Walk in a normal window.',
      { name: file.name || t(THE_PHOTO) },
    );
  }
  return error
    ? t('%(name)s could not be kept on this phone (%(error)s).', {
        name: file.name || t(THE_PHOTO),
        error: error.name || error,
      })
    : unreadableMessage(file);
}
