// @ts-check
// Page-wide behaviour shared by every server-rendered page.
import { N_, t, useMessagesOfPage } from '../shared/i18n.js';
import { registerServiceWorker } from '../shared/pwa.js';

// Marked where Babel's JavaScript extractor sees them (it misses some calls inside expressions).
const AND = N_(', and ');

useMessagesOfPage();

const main = document.getElementById('main');

// After a failed form submit, move focus to the first field in error so keyboard
// and screen-reader users land on what needs fixing.
const firstInvalid = document.querySelector('[aria-invalid="true"]');
if (firstInvalid instanceof HTMLElement) {
  firstInvalid.focus();
} else if (main && window.location.hash === '#main') {
  main.focus();
}

registerServiceWorker();

const signedIn = document.body.dataset.userId
  ? { id: Number(document.body.dataset.userId), name: document.body.dataset.userName || '' }
  : null;

// Signed in: this phone now knows who its records belong to, and gets the field pack in the
// background (so every label opens offline, whichever page was opened first), and the Scan page
// is kept for offline use.
if (signedIn) {
  // The service worker keeps the Scan page in this person's copy (it fetches it itself).
  navigator.serviceWorker?.ready
    .then((registration) => registration.active?.postMessage({ type: 'KEEP_FOR_OFFLINE' }))
    .catch(() => {});
  (async () => {
    const { rememberUser } = await import('../shared/api.js');
    await rememberUser(signedIn);
    const { refreshPack } = await import('../offline/pack.js');
    document.body.dataset.pack = await refreshPack();
  })().catch(() => {
    // no storage (private mode) or no network: the capture screens say so themselves
  });
}

// Signing out (or switching person) never deletes unsent records, but say exactly what
// happens to them.
for (const signOut of document.querySelectorAll('form.signout')) {
  signOut.addEventListener('submit', async (event) => {
    if (!(signOut instanceof HTMLFormElement) || signOut.dataset.confirmed) return;
    event.preventDefault();
    let waiting = 0;
    let drafts = 0;
    try {
      const { unsynced } = await import('../offline/outbox.js');
      const { allDrafts } = await import('../offline/drafts.js');
      waiting = (await unsynced(signedIn)).length;
      drafts = (await allDrafts(signedIn)).length;
    } catch {
      waiting = 0; // no storage: nothing can be waiting
    }
    const parts = [];
    if (waiting) parts.push(t('%(count)s record(s) of yours have not reached the server yet', { count: waiting }));
    if (drafts) parts.push(t('%(count)s draft(s) of yours are not submitted', { count: drafts }));
    const message = t(
      '%(what)s. They stay on this phone, hidden from anyone else who signs in here, and nobody else can ' +
        'send them. They are sent when you sign in again on this phone. Sign out anyway?',
      { what: parts.join(t(AND)) },
    );
    if (!parts.length || window.confirm(message)) {
      signOut.dataset.confirmed = 'true';
      try {
        const { rememberUser } = await import('../shared/api.js');
        await rememberUser(null);
      } catch {
        // no storage: nothing to forget
      }
      signOut.requestSubmit();
    }
  });
}

// After signing out, forget the copies of pages kept for offline reading, and who was here.
if (document.body.classList.contains('page-login')) {
  if ('caches' in window) caches.delete('gemba-pages-v1');
  localStorage.removeItem('gemba-display'); // the next person's shell follows the phone
  import('../shared/api.js').then(({ rememberUser }) => rememberUser(null)).catch(() => {});
}

// A form that shows only the fields its choice uses (the walk plan's frequency): the form names
// the choosing field in data-shown-by, each part the choices it serves in data-shown-for.
// Without JavaScript every part shows and the server ignores the ones that do not apply.
for (const form of document.querySelectorAll('form[data-shown-by]')) {
  const choice = /** @type {HTMLSelectElement | null} */ (
    /** @type {HTMLFormElement} */ (form).elements.namedItem(/** @type {HTMLElement} */ (form).dataset.shownBy || '')
  );
  if (!choice) continue;
  const sync = () => {
    for (const part of form.querySelectorAll('[data-shown-for]')) {
      /** @type {HTMLElement} */ (part).hidden = !(part.getAttribute('data-shown-for') || '')
        .split(' ')
        .includes(choice.value);
    }
  };
  choice.addEventListener('change', sync);
  sync();
}

// The checklist builder: show only the fields that fit how each item is answered. Without
// JavaScript every field shows and the server ignores the ones that do not apply.
/** @param {Element} item */
function showFieldsThatApply(item) {
  const type = /** @type {HTMLSelectElement | null} */ (item.querySelector('[data-response-type]'));
  if (!type) return;
  const sync = () => {
    for (const part of item.querySelectorAll('[data-for]')) {
      /** @type {HTMLElement} */ (part).hidden = !(part.getAttribute('data-for') || '').split(' ').includes(type.value);
    }
  };
  type.addEventListener('change', sync);
  sync();
}
for (const item of document.querySelectorAll('[data-builder-item]')) showFieldsThatApply(item);

const ITEM_FIELD = /^item-(?:\d+|new)-/;
const ITEM_ACTION = /^(up|down|remove)-(?:\d+|new)$/;

/** Give every item the index of its place in the form, as the server would render it. */
function renumberItems(/** @type {HTMLFormElement} */ form) {
  const items = [...form.querySelectorAll('[data-builder-item]')];
  items.forEach((item, index) => {
    const prefix = `item-${index}-`;
    for (const element of [item, ...item.querySelectorAll('*')]) {
      for (const name of ['id', 'name', 'for', 'aria-describedby']) {
        const value = element.getAttribute(name);
        if (value) {
          const renamed = value
            .split(' ')
            .map((part) => part.replace(ITEM_FIELD, prefix))
            .join(' ');
          element.setAttribute(name, renamed);
        }
      }
      const action = element.getAttribute('value');
      if (element.tagName === 'BUTTON' && action && ITEM_ACTION.test(action)) {
        const kind = action.replace(ITEM_ACTION, '$1');
        element.setAttribute('value', `${kind}-${index}`);
        /** @type {HTMLButtonElement} */ (element).disabled =
          (kind === 'up' && index === 0) || (kind === 'down' && index === items.length - 1);
      }
    }
    for (const number of item.querySelectorAll('[data-item-number]')) number.textContent = String(index + 1);
  });
  const count = /** @type {HTMLInputElement | null} */ (form.querySelector('[data-item-count]'));
  if (count) count.value = String(items.length);
}

// "+ Add item" inserts a blank item in place (no reload, nothing typed is lost) and moves focus
// to its question; without JavaScript the button posts the form and the server adds it.
const newItem = /** @type {HTMLTemplateElement | null} */ (document.getElementById('builder-new-item'));
const addItem = document.querySelector('[data-builder-add]');
if (newItem && addItem) {
  addItem.addEventListener('click', (event) => {
    const form = /** @type {HTMLFormElement} */ (addItem.closest('form'));
    const fragment = /** @type {DocumentFragment} */ (newItem.content.cloneNode(true));
    const item = fragment.querySelector('[data-builder-item]');
    if (!form || !item) return; // let the form post: the server adds the item
    event.preventDefault();
    newItem.before(fragment);
    renumberItems(form);
    showFieldsThatApply(item);
    form.dispatchEvent(new Event('input', { bubbles: true })); // unsaved now
    /** @type {HTMLElement | null} */ (item.querySelector('textarea[id$="-prompt"]'))?.focus();
  });
}

// The builder warns before leaving with changes that are not saved (typed, or rearranged on the
// server and re-rendered unsaved); saving or the form's own buttons never ask.
const builderForm = document.querySelector('form.builder');
if (builderForm instanceof HTMLFormElement) {
  let unsaved = builderForm.dataset.unsaved === 'true';
  builderForm.addEventListener('input', () => {
    unsaved = true;
  });
  builderForm.addEventListener('submit', () => {
    unsaved = false;
  });
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers need it set to show the prompt
  });
}

// A photo chosen in a form (a ticket's "after" photo) is shown before it is saved: choosing it is
// the one step, the preview and the save button are right there. Without JavaScript the form
// still saves the photo, unseen.
/** @type {NodeListOf<HTMLInputElement>} */
const photoInputs = document.querySelectorAll('input[type="file"][data-photo-preview]');
for (const input of photoInputs) {
  const preview = document.getElementById(input.dataset.photoPreview || '');
  const image = preview?.querySelector('img');
  if (!preview || !image) continue;
  const originalInput = input.dataset.photoMarkup ? document.getElementById(input.dataset.photoMarkup) : null;
  if (originalInput instanceof HTMLInputElement) offerMarkup(input, originalInput, preview);
  let shown = '';
  input.addEventListener('change', () => {
    if (shown) URL.revokeObjectURL(shown);
    const file = input.files?.[0];
    shown = file ? URL.createObjectURL(file) : '';
    image.src = shown;
    preview.hidden = !file;
    if (file) preview.scrollIntoView({ block: 'nearest' });
  });
}

// "More" in the main navigation closes on Escape and on a tap elsewhere, as a menu does.
const moreMenu = document.querySelector('details.more-menu');
if (moreMenu instanceof HTMLDetailsElement) {
  document.addEventListener('click', (event) => {
    if (moreMenu.open && !(event.target instanceof Node && moreMenu.contains(event.target))) moreMenu.open = false;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && moreMenu.open) {
      moreMenu.open = false;
      moreMenu.querySelector('summary')?.focus();
    }
  });
}

// A wide table on a narrow screen says it scrolls (its edge shadows come from app.css).
/** @type {NodeListOf<HTMLElement>} */
const scrollHints = document.querySelectorAll('[data-scroll-hint]');
for (const hint of scrollHints) {
  const scroller = document.getElementById(hint.dataset.scrollHint || '');
  if (!scroller) continue;
  const update = () => {
    hint.hidden = scroller.scrollWidth <= scroller.clientWidth + 1;
  };
  update();
  window.addEventListener('resize', update);
}

// The walk board on a narrow screen opens on its latest days (today is the right-hand column).
for (const scroller of document.querySelectorAll('.kamishibai-scroll')) {
  scroller.scrollLeft = scroller.scrollWidth;
}

// The notification choices page: Web Push on this device.
const pushButton = document.getElementById('push-enable');
const pushState = document.getElementById('push-state');
if (pushButton instanceof HTMLButtonElement && pushState) {
  import('../shared/push.js').then(({ setUpPush }) => setUpPush(pushState, pushButton)).catch(() => {});
}

/**
 * "Mark up" on a chosen photo (a ticket's "after" photo): the photo is made small as on the phone,
 * drawn on (arrow, circle, freehand, a label), and the form then sends the marked-up photo as
 * `photo` and the photo as taken as `original`, which the server keeps beside it.
 * @param {HTMLInputElement} input
 * @param {HTMLInputElement} originalInput
 * @param {HTMLElement} preview
 */
function offerMarkup(input, originalInput, preview) {
  /** @type {File | null} */
  let chosen = null; // the file as the person chose it; marking up again starts from it
  let replacing = false;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--quiet photo-preview__markup';
  button.textContent = t('Mark up ✎');
  const status = document.createElement('p');
  status.className = 'hint';
  status.setAttribute('role', 'status');
  preview.append(button, status);
  const put = (/** @type {HTMLInputElement} */ target, /** @type {Blob} */ blob, /** @type {string} */ name) => {
    const files = new DataTransfer();
    files.items.add(new File([blob], name, { type: blob.type }));
    target.files = files.files;
  };
  input.addEventListener('change', () => {
    if (replacing) return;
    chosen = input.files?.[0] || null;
    originalInput.value = ''; // a new photo: no original until it is marked up
    status.textContent = '';
  });
  button.addEventListener('click', async () => {
    if (!chosen) return;
    const { compressPhoto, PhotoUnreadable } = await import('../offline/photos.js');
    const { markUpPhoto } = await import('../shared/markup.js');
    try {
      const taken = await compressPhoto(chosen);
      const choice = await markUpPhoto(taken, { title: t('Mark up the “after” photo') });
      if (!choice?.marked) return;
      const marked = await compressPhoto(choice.marked);
      const extension = (/** @type {Blob} */ blob) => (blob.type === 'image/webp' ? 'webp' : 'jpg');
      put(originalInput, taken.blob, `original.${extension(taken.blob)}`);
      replacing = true;
      put(input, marked.blob, `marked-up.${extension(marked.blob)}`);
      input.dispatchEvent(new Event('change'));
      replacing = false;
      status.textContent = t('Marked up. The original photo is saved with it.');
    } catch (error) {
      status.textContent = error instanceof PhotoUnreadable ? error.message : t('This photo cannot be marked up here.');
    }
  });
}
