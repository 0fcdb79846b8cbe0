// @ts-check
// Andon reports from a label, for people without an account: a report is kept on this device
// first (IndexedDB), then sent; when the network is gone — before "Send" or during it — it waits
// here and goes by itself when the network is back, once (its id makes a resend the same report).

import { t } from '../shared/i18n.js';
import { getMeta, setMeta } from './db.js';

/** @typedef {import('../shared/types').AndonReportKept} AndonReportKept */

/** @returns {Promise<AndonReportKept[]>} */
export async function keptReports() {
  return (await getMeta('andon_queue')) || [];
}

/** @param {(reports: AndonReportKept[]) => AndonReportKept[]} change */
export async function changeKept(change) {
  await setMeta('andon_queue', change(await keptReports()));
}

/** A fresh CSRF token for the label's form (the session cookie comes with it). */
async function csrfFor(/** @type {string} */ token) {
  const page = await fetch(`/andon/${token}`, { cache: 'no-store', credentials: 'same-origin' });
  const html = await page.text();
  const field = new DOMParser().parseFromString(html, 'text/html').querySelector('input[name=csrf_token]');
  return { ok: page.ok, csrf: field instanceof HTMLInputElement ? field.value : '', html };
}

/** The words of the server's refusal (the field errors on the page it answered with). */
function reasonOf(/** @type {string} */ html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const errors = [...doc.querySelectorAll('.error, h1')].map((node) => node.textContent?.trim()).filter(Boolean);
  return errors.join(' ') || t('The server refused this report.');
}

/**
 * Send one kept report. 'sent' (the server has it: dropped here), 'refused' (kept, with the
 * server's words) or 'waiting' (no network, or the server is busy: sent later).
 * @param {AndonReportKept} report
 * @returns {Promise<{state: 'sent' | 'refused' | 'waiting', html?: string}>}
 */
export async function sendReport(report) {
  let response;
  try {
    const form = await csrfFor(report.token);
    if (!form.ok) {
      await changeKept((all) =>
        all.map((kept) => (kept.uuid === report.uuid ? { ...kept, refused: reasonOf(form.html) } : kept)),
      );
      return { state: 'refused', html: form.html };
    }
    const body = new FormData();
    body.set('csrf_token', form.csrf);
    body.set('report_uuid', report.uuid);
    body.set('category', report.category);
    body.set('description', report.description);
    body.set('reporter_name', report.reporter_name);
    if (report.photo) {
      body.set('photo', new Blob([report.photo], { type: report.photo_type }), report.photo_name || 'photo.jpg');
    }
    response = await fetch(`/andon/${report.token}`, { method: 'POST', body, credentials: 'same-origin' });
  } catch {
    return { state: 'waiting' };
  }
  const html = await response.text();
  if (response.ok) {
    await changeKept((all) => all.filter((kept) => kept.uuid !== report.uuid));
    return { state: 'sent', html };
  }
  if (response.status >= 500 || response.status === 429 || response.status === 400) return { state: 'waiting' };
  await changeKept((all) =>
    all.map((kept) => (kept.uuid === report.uuid ? { ...kept, refused: reasonOf(html) } : kept)),
  );
  return { state: 'refused', html };
}

/** Send every report kept on this device that the server has not refused. The body says how
 * many are still kept when it is done (data-andon-kept; tests and support read it). */
export async function sendKeptReports() {
  let sent = 0;
  for (const report of await keptReports()) {
    if (report.refused) continue;
    if ((await sendReport(report)).state === 'sent') sent += 1;
  }
  document.body.dataset.andonKept = String((await keptReports()).length);
  return sent;
}
