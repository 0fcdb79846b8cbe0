// The area screen: what the leader sees after scanning a label, online or offline.
import { postJson, whoIsSignedIn } from '../api.js';
import { getMeta, newId, setMeta } from '../db.js';
import { allDrafts } from '../drafts.js';
import { addNoteToOutbox } from '../outbox.js';
import { findArea, retiredArea } from '../pack.js';
import { formatScore, startOrder } from '../rules.js';
import { date, dateTime, h, labelOf, mount, time } from '../ui.js';
import { plannedHere } from './walks.js';

/** Tell the server about a scan when it can be reached; the audit carries the time anyway. */
async function reportScan(scan) {
  try {
    const { csrf } = await whoIsSignedIn();
    if (!csrf) return;
    await postJson('/api/v1/scans', csrf, scan);
  } catch {
    // offline: the scan time still travels with any audit started from it
  }
}

export async function recordScan(areaId) {
  const scans = (await getMeta('scans')) || {};
  const now = new Date();
  const previous = scans[areaId] ? new Date(scans[areaId]) : null;
  // A reload within ten minutes is the same visit, not a new scan.
  if (!previous || now - previous > 10 * 60 * 1000) {
    scans[areaId] = now.toISOString();
    await setMeta('scans', scans);
    const method = new URLSearchParams(window.location.search).get('scan') === 'in_app' ? 'in_app' : 'label';
    reportScan({ uuid: newId(), area_id: areaId, method, scanned_at: scans[areaId] });
  }
  return scans[areaId];
}

/** A comment or "checked at the gemba" note on an open ticket, kept in the outbox offline. */
function noteForm(ticket, user) {
  const id = `note-${ticket.number}`;
  const status = h('p', { className: 'hint', role: 'status' });
  const body = h('textarea', { id, className: 'input', rows: 2 });
  const checked = h('input', { type: 'checkbox', id: `${id}-gemba`, checked: true });
  const form = h(
    'form',
    {
      className: 'ticket-note',
      hidden: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const text = body.value.trim();
        if (!text) {
          status.textContent = 'Write what you saw first.';
          body.focus();
          return;
        }
        const note = {
          uuid: newId(),
          ticket_number: ticket.number,
          kind: checked.checked ? 'gemba_check' : 'comment',
          body: text,
          occurred_at: new Date().toISOString(),
        };
        await addNoteToOutbox(note, `Note on ${ticket.number} · ${ticket.title}`, user);
        body.value = '';
        status.textContent = 'Saved on this phone — it is sent with the next sync.';
        window.dispatchEvent(new Event('gemba:outbox'));
      },
    },
    h('label', { for: id }, `Note on ${ticket.number}`),
    body,
    h(
      'div',
      { className: 'field field--check' },
      checked,
      h('label', { for: `${id}-gemba` }, 'I checked this at the gemba'),
    ),
    h('button', { type: 'submit', className: 'button button--primary' }, 'Save note'),
    status,
  );
  const toggle = h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet',
      'aria-expanded': 'false',
      onclick: () => {
        form.hidden = !form.hidden;
        toggle.setAttribute('aria-expanded', String(!form.hidden));
        if (!form.hidden) body.focus();
      },
    },
    'Add a note',
    h('span', { className: 'visually-hidden' }, ` on ${ticket.number}`),
  );
  return h('div', { className: 'ticket-note-wrap' }, toggle, form);
}

/** The start buttons (standard walks first, as on the server's page); a checklist this person
 * already has a draft of here offers "Resume" instead of a second draft. */
function startActions(pack, token, drafts) {
  return startOrder(pack.templates).map(([key, label]) => {
    const draft = drafts.find((d) => d.template.key === key);
    if (!draft) {
      return h('a', { className: 'button button--primary button--big', href: `/a/${token}/start/${key}` }, label);
    }
    return h(
      'a',
      { className: 'button button--primary button--big button--resume', href: `/capture/draft/${draft.uuid}` },
      `Resume: ${draft.template.name}`,
      h('span', { className: 'button__note' }, ` · draft saved ${dateTime(draft.updated_at)}`),
    );
  });
}

export async function renderArea(root, pack, token, user) {
  const area = findArea(pack, token);
  if (!area) {
    const replaced = retiredArea(pack, token);
    return mount(
      root,
      h(
        'section',
        { className: 'card card--narrow' },
        h('h1', {}, replaced ? 'This label is outdated' : 'We don’t know this label'),
        h(
          'p',
          {},
          replaced
            ? `It was replaced for ${replaced.code || 'this area'} · ${replaced.name || ''}. ` +
                `Tell ${replaced.owner || 'an admin'} so the new label gets posted.`
            : 'This QR code does not belong to any area in your field data. ' +
                'Type the area code printed on the label instead.',
        ),
        h('a', { className: 'button', href: '/scan' }, 'Scan or type a code'),
      ),
    );
  }
  // A code typed on the Scan page opens the area but proves no presence: only a scan does.
  const typed = new URLSearchParams(window.location.search).get('via') === 'code';
  const scannedAt = typed ? null : await recordScan(area.id);
  const vocabulary = pack.vocabulary;
  const tickets = area.open_tickets;
  const drafts = (await allDrafts(user)).filter((d) => d.area.id === area.id);
  mount(
    root,
    typed
      ? h(
          'p',
          { className: 'notice', role: 'status' },
          'Opened by its code, not by a scan: an audit started now does not show it was started here.',
        )
      : h(
          'p',
          { className: 'notice notice--ok', role: 'status' },
          h('strong', {}, 'Scanned at the gemba'),
          ` at ${time(scannedAt)} — an audit you start now shows it was started here.`,
        ),
    user ? plannedHere(pack, area, token) : null,
    h(
      'header',
      { className: 'area-head' },
      h('p', { className: 'area-code' }, area.code),
      h('h1', {}, area.name),
      h('p', { className: 'muted' }, `owner ${area.owner || 'not set'}`),
    ),
    h(
      'section',
      { className: 'capture-actions', 'aria-label': 'Start at the gemba' },
      user
        ? startActions(pack, token, drafts)
        : h(
            'p',
            { className: 'notice notice--warn' },
            'Nobody is signed in on this phone. ',
            h('a', { href: `/login?next=/a/${token}` }, 'Sign in'),
            ' to start a walk.',
          ),
    ),
    h(
      'section',
      { className: 'card' },
      h('h2', {}, 'Last audit'),
      area.last_five_s
        ? h('p', {}, `5S score ${formatScore(area.last_five_s.score)} of 5 · ${date(area.last_five_s.at)}`)
        : h('p', { className: 'muted' }, 'No 5S audit yet.'),
    ),
    h(
      'section',
      { className: 'card' },
      h('h2', {}, 'Open kaizen tickets ', h('span', { className: 'badge' }, tickets.length)),
      tickets.length
        ? h(
            'ul',
            { className: 'list' },
            tickets.map((ticket) =>
              h(
                'li',
                { className: 'list__item ticket-at-gemba', 'data-ticket': ticket.number },
                h(
                  'div',
                  {},
                  h('strong', {}, `${ticket.number} · ${ticket.title}`),
                  h(
                    'span',
                    { className: 'muted' },
                    `${labelOf(vocabulary.ticket_statuses, ticket.status)} · due ${ticket.due || '—'}`,
                  ),
                ),
                ticket.occurrences > 1 ? h('span', { className: 'badge badge--warn' }, `×${ticket.occurrences}`) : null,
                user ? noteForm(ticket, user) : null,
              ),
            ),
          )
        : h('p', { className: 'muted' }, 'No open tickets in this area.'),
    ),
  );
}
