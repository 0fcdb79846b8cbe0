// Page-wide behaviour shared by every server-rendered page.
import { registerServiceWorker } from './pwa.js';

const main = document.getElementById('main');

// After a failed form submit, move focus to the first field in error so keyboard
// and screen-reader users land on what needs fixing.
const firstInvalid = document.querySelector('[aria-invalid="true"]');
if (firstInvalid) {
  firstInvalid.focus();
} else if (main && window.location.hash === '#main') {
  main.focus();
}

registerServiceWorker();

// Signing out never deletes unsent records, but say so before it happens.
const signOut = document.querySelector('form.signout');
signOut?.addEventListener('submit', async (event) => {
  if (signOut.dataset.confirmed) return;
  event.preventDefault();
  let waiting = 0;
  try {
    const { unsynced } = await import('./outbox.js');
    waiting = (await unsynced()).length;
  } catch {
    waiting = 0; // no storage: nothing can be waiting
  }
  const message =
    `${waiting} record(s) on this phone have not reached the server yet. ` +
    'They stay here and are sent after you sign in again. Sign out anyway?';
  if (waiting === 0 || window.confirm(message)) {
    signOut.dataset.confirmed = 'true';
    signOut.requestSubmit();
  }
});

// After signing out, forget the copies of pages kept for offline reading.
if (document.body.classList.contains('page-login') && 'caches' in window) {
  caches.delete('gemba-pages-v1');
}

// The checklist builder: show only the fields that fit how each item is answered. Without
// JavaScript every field shows and the server ignores the ones that do not apply.
for (const item of document.querySelectorAll('[data-builder-item]')) {
  const type = item.querySelector('[data-response-type]');
  const sync = () => {
    for (const part of item.querySelectorAll('[data-for]')) {
      part.hidden = !part.dataset.for.split(' ').includes(type.value);
    }
  };
  type.addEventListener('change', sync);
  sync();
}

// The builder warns before leaving with changes that are not saved (typed, or rearranged on the
// server and re-rendered unsaved); saving or the form's own buttons never ask.
const builderForm = document.querySelector('form.builder');
if (builderForm) {
  let unsaved = builderForm.dataset.unsaved === 'true';
  builderForm.addEventListener('input', () => { unsaved = true; });
  builderForm.addEventListener('submit', () => { unsaved = false; });
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers need it set to show the prompt
  });
}
