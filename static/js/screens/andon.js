// @ts-check
// The andon form: the server's andon page enhanced (progressive: without this script the form
// posts as before), and the same form drawn by the capture shell for a label opened offline by
// someone not signed in. Its reports are kept on the device first (offline/andon-reports.js).

import { changeKept, sendReport } from '../offline/andon-reports.js';
import { newId } from '../offline/db.js';
import { N_, t } from '../shared/i18n.js';
import { h } from '../shared/ui.js';

/** @typedef {import('../shared/types').AndonReportKept} AndonReportKept */

// SQDCE, as the server's form says them (lean.py's keys).
const CATEGORIES = [
  ['safety', N_('Safety')],
  ['quality', N_('Quality')],
  ['delivery', N_('Delivery')],
  ['cost', N_('Cost')],
  ['environment', N_('Environment')],
];

/**
 * Keep the form's report on this device, then try to send it.
 * @param {HTMLFormElement} form
 * @param {{token: string, code: string}} area
 */
async function keepAndSend(form, area) {
  const data = new FormData(form);
  const photo = data.get('photo');
  /** @type {AndonReportKept} */
  const report = {
    uuid: newId(),
    token: area.token,
    area_code: area.code,
    category: String(data.get('category') || ''),
    description: String(data.get('description') || '').trim(),
    reporter_name: String(data.get('reporter_name') || '').trim(),
    photo: photo instanceof File && photo.size ? await photo.arrayBuffer() : null,
    photo_type: photo instanceof File ? photo.type : '',
    photo_name: photo instanceof File ? photo.name : '',
    created_at: new Date().toISOString(),
  };
  await changeKept((all) => [...all, report]);
  return sendReport(report);
}

/** "Kept on this device" — what a person reads when the report could not go yet. */
function keptNotice() {
  return h(
    'div',
    { className: 'notice notice--warn andon-kept', role: 'status' },
    h('strong', {}, t('Your report is saved on this device.')),
    ' ',
    t('There is no network now: it is sent by itself as soon as there is. You can close this page.'),
  );
}

/** What the form says when a required part is missing (the server says the same). */
function missing(/** @type {HTMLFormElement} */ form) {
  const data = new FormData(form);
  if (!data.get('category')) return t('Choose what kind of problem it is.');
  if (!String(data.get('description') || '').trim()) return t('Write what you saw: a report needs a few words.');
  return '';
}

/**
 * Handle a submit of the andon form: keep, send, and say what happened in `place`.
 * @param {SubmitEvent} event
 * @param {{token: string, code: string}} area
 * @param {HTMLElement} place
 */
async function onSubmit(event, area, place) {
  const form = /** @type {HTMLFormElement} */ (event.target);
  event.preventDefault();
  const problem = missing(form);
  const status = form.querySelector('.andon-status');
  if (problem) {
    if (status) status.textContent = problem;
    return;
  }
  const button = form.querySelector('button[type=submit]');
  if (button instanceof HTMLButtonElement) button.disabled = true;
  const result = await keepAndSend(form, area);
  if (result.state === 'waiting') {
    place.replaceChildren(keptNotice());
    return;
  }
  // The server's answer (thanks, or the form with its refusal) replaces the page's content.
  const answer = new DOMParser().parseFromString(result.html || '', 'text/html').querySelector('main');
  if (answer) place.replaceChildren(...answer.childNodes);
  if (result.state === 'refused') {
    await changeKept((all) => all.filter((kept) => !kept.refused)); // the person sees why, here
    enhance(place, area);
  }
}

/** Progressive: the server page's form keeps its report on the device when the network drops. */
export function enhance(/** @type {ParentNode} */ root, /** @type {{token: string, code: string}} */ area) {
  const form = root.querySelector('form[data-andon]');
  if (!(form instanceof HTMLFormElement)) return;
  if (!form.querySelector('.andon-status')) {
    form.append(h('p', { className: 'error andon-status', role: 'alert' }));
  }
  form.addEventListener('submit', (event) =>
    onSubmit(/** @type {SubmitEvent} */ (event), area, /** @type {HTMLElement} */ (form.closest('main') || form)),
  );
}

/**
 * The same form drawn by the capture shell, for a label opened offline by someone not signed in.
 * @param {{token: string, code: string, name: string}} area
 */
export function andonForm(area) {
  const section = h(
    'section',
    { className: 'card card--narrow andon' },
    h('p', { className: 'area-code' }, area.code),
    h('h1', {}, t('Report a problem')),
    h('p', { className: 'lead' }, t('A leader of this area reads every report and decides what happens next.')),
  );
  const form = h(
    'form',
    { 'data-andon': 'true', noValidate: true },
    h(
      'fieldset',
      { className: 'field choice-list' },
      h('legend', { className: 'field__label' }, t('What kind of problem?')),
      ...CATEGORIES.map(([key, label]) =>
        h(
          'label',
          { className: 'choice' },
          h('input', { type: 'radio', name: 'category', value: key }),
          h('span', {}, t(label)),
        ),
      ),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { for: 'andon-description' }, t('What did you see?')),
      h('textarea', { id: 'andon-description', name: 'description', className: 'input', rows: 4, maxLength: 2000 }),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { for: 'andon-photo' }, t('Photo (optional)')),
      h('input', {
        id: 'andon-photo',
        name: 'photo',
        type: 'file',
        className: 'input',
        accept: 'image/jpeg,image/png,image/webp',
        capture: 'environment',
      }),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { for: 'andon-name' }, t('Your name (optional)')),
      h('input', { id: 'andon-name', name: 'reporter_name', className: 'input', maxLength: 120, autocomplete: 'name' }),
    ),
    h('button', { type: 'submit', className: 'button button--primary button--block' }, t('Send the report')),
  );
  section.append(form);
  const holder = h('div', {}, section);
  enhance(holder, area);
  return holder;
}
