// @ts-check
// The area screen: what the leader sees after scanning a label, online or offline.

import { getMeta, newId, setMeta } from '../offline/db.js';
import { allDrafts } from '../offline/drafts.js';
import { postJson, whoIsSignedIn } from '../shared/api.js';
import { N_, t } from '../shared/i18n.js';

// The start buttons' words come from field_rules.json; marked here for the catalog.
export const START_WORDS = Object.freeze([N_('Start 5S audit'), N_('Waste walk'), N_('Report abnormality')]);

import { addNoteToOutbox } from '../offline/outbox.js';
import { findArea, retiredArea } from '../offline/pack.js';
import { formatScore, startOrder } from '../shared/rules.js';
import { date, dateTime, h, labelOf, mount, time } from '../shared/ui.js';
import { plannedHere } from './walks.js';

/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Area} Area */
/** @typedef {import('../shared/types').Draft} Draft */
/** @typedef {import('../shared/types').User} User */
/** @typedef {import('../shared/types').OpenTicket} OpenTicket */
/** @typedef {import('../shared/types').TicketNote} TicketNote */
/** @typedef {import('../shared/api-types').components['schemas']['ScanRequest']} ScanRequest */

// Words that fill another sentence's placeholder (marked here: the catalog sees them).
const AN_ADMIN = N_('an admin');
const NOT_SET = N_('not set');
const ON_TICKET = N_('on %(number)s');
const THIS_AREA = N_('this area');

/** Tell the server about a scan when it can be reached; the audit carries the time anyway. */
/** @param {ScanRequest} scan */
async function reportScan(scan) {
  try {
    const { csrf } = await whoIsSignedIn();
    if (!csrf) return;
    await postJson('/api/v1/scans', csrf, scan);
  } catch {
    // offline: the scan time still travels with any audit started from it
  }
}

/** Scans are kept per person and area: on a shared tablet, one person's scan is never another's
 * proof of presence, and each person's own scan is recorded.
 * @param {number | undefined} userId
 * @param {number} areaId
 */
export function scanKey(userId, areaId) {
  return `${userId ?? 'signed-out'}:${areaId}`;
}

/**
 * Remember this person's scan of the area (and tell the server when it can be reached).
 * @param {number} areaId
 * @param {User | null} user
 * @returns {Promise<string>} when the scan was made (ISO 8601)
 */
export async function recordScan(areaId, user) {
  const scans = (await getMeta('scans')) || {};
  const key = scanKey(user?.id, areaId);
  const now = new Date();
  const previous = scans[key] ? new Date(scans[key]) : null;
  // The same person reloading within ten minutes is the same visit, not a new scan.
  if (!previous || now.getTime() - previous.getTime() > 10 * 60 * 1000) {
    scans[key] = now.toISOString();
    await setMeta('scans', scans);
    const method = new URLSearchParams(window.location.search).get('scan') === 'in_app' ? 'in_app' : 'label';
    if (user) reportScan({ uuid: newId(), area_id: areaId, method, scanned_at: scans[key] });
  }
  return scans[key];
}

/**
 * A comment or "checked at the gemba" note on an open ticket, kept in the outbox offline.
 * @param {OpenTicket} ticket
 * @param {User} user
 */
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
          status.textContent = t('Write what you saw first.');
          body.focus();
          return;
        }
        /** @type {TicketNote} */
        const note = {
          uuid: newId(),
          ticket_number: ticket.number,
          kind: checked.checked ? 'gemba_check' : 'comment',
          body: text,
          occurred_at: new Date().toISOString(),
        };
        await addNoteToOutbox(
          note,
          t('Note on %(number)s · %(title)s', { number: ticket.number, title: ticket.title }),
          user,
        );
        body.value = '';
        status.textContent = t('Saved on this phone — it is sent with the next sync.');
        window.dispatchEvent(new Event('gemba:outbox'));
      },
    },
    h('label', { for: id }, t('Note on %(number)s', { number: ticket.number })),
    body,
    h(
      'div',
      { className: 'field field--check' },
      checked,
      h('label', { for: `${id}-gemba` }, t('I checked this at the gemba')),
    ),
    h('button', { type: 'submit', className: 'button button--primary' }, t('Save note')),
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
    t('Add a note'),
    h('span', { className: 'visually-hidden' }, ' ' + t(ON_TICKET, { number: ticket.number })),
  );
  return h('div', { className: 'ticket-note-wrap' }, toggle, form);
}

/** The start buttons of the checklists that apply to the area (standard walks first, as on the
 * server's page); a checklist this person already has a draft of here offers "Resume" instead of
 * a second draft.
 * @param {Pack} pack
 * @param {Area} area
 * @param {Draft[]} drafts
 * @param {boolean} typed the area's code was typed in, not scanned
 */
function startActions(pack, area, drafts, typed) {
  const applies = area.checklists ? new Set(area.checklists) : null;
  const templates = applies ? pack.templates.filter((t) => applies.has(t.key)) : pack.templates;
  const token = area.token;
  return startOrder(templates).map(([key, label]) => {
    const draft = drafts.find((d) => d.template.key === key);
    if (!draft) {
      return h(
        'a',
        {
          className: 'button button--primary button--big',
          href: `/a/${token}/start/${key}${typed ? '?via=code' : ''}`,
        },
        t(label),
      );
    }
    return h(
      'a',
      { className: 'button button--primary button--big button--resume', href: `/capture/draft/${draft.uuid}` },
      t('Resume: %(name)s', { name: draft.template.name }),
      h('span', { className: 'button__note' }, ' · ' + t('draft saved %(time)s', { time: dateTime(draft.updated_at) })),
    );
  });
}

/**
 * A label that opens no area: an outdated one (its area's new label is due) or an unknown code.
 * @param {Pack} pack
 * @param {string} token
 */
function unknownLabel(pack, token) {
  const replaced = retiredArea(pack, token);
  return h(
    'section',
    { className: 'card card--narrow' },
    h('h1', {}, replaced ? t('This label is outdated') : t('We don’t know this label')),
    h(
      'p',
      {},
      replaced
        ? t('It was replaced for %(code)s · %(name)s. Tell %(owner)s so the new label gets posted.', {
            code: replaced.code || t(THIS_AREA),
            name: replaced.name || '',
            owner: replaced.owner || t(AN_ADMIN),
          })
        : t(
            'This QR code does not belong to any area in your field data. ' +
              'Type the area code printed on the label instead.',
          ),
    ),
    h('a', { className: 'button', href: '/scan' }, t('Scan or type a code')),
  );
}

/** Whether the area was opened by a scan (presence shown) or by its typed code (not shown).
 * @param {boolean} typed
 * @param {string | null} scannedAt
 */
function presenceNotice(typed, scannedAt) {
  return typed
    ? h(
        'p',
        { className: 'notice', role: 'status' },
        t('Opened by its code, not by a scan: an audit started now does not show it was started here.'),
      )
    : h(
        'p',
        { className: 'notice notice--ok', role: 'status' },
        h('strong', {}, t('Scanned at the gemba')),
        ' ' + t('at %(time)s — an audit you start now shows it was started here.', { time: time(scannedAt) }),
      );
}

/** What can be started here: the walks for someone signed in, else the andon and a sign-in link.
 * @param {Pack} pack
 * @param {Area} area
 * @param {string} token
 * @param {User | null} user
 * @param {Draft[]} drafts
 * @param {boolean} typed
 */
function startSection(pack, area, token, user, drafts, typed) {
  return h(
    'section',
    { className: 'capture-actions', 'aria-label': t('Start at the gemba') },
    user
      ? startActions(pack, area, drafts, typed)
      : [
          area.andon
            ? h(
                'a',
                { className: 'button button--primary button--big', href: `/andon/${token}` },
                t('Report a problem'),
              )
            : null,
          h(
            'p',
            { className: 'notice notice--warn' },
            t('Nobody is signed in on this phone.'),
            ' ',
            h('a', { href: `/login?next=/a/${token}` }, t('Sign in to start a walk.')),
          ),
        ],
  );
}

/** The area's last 5S score, or that it has none yet.
 * @param {Area} area
 */
function lastAudit(area) {
  return h(
    'section',
    { className: 'card' },
    h('h2', {}, t('Last audit')),
    area.last_five_s
      ? h(
          'p',
          {},
          t('5S score %(score)s of 5 · %(date)s', {
            score: formatScore(area.last_five_s.score),
            date: date(area.last_five_s.at),
          }),
        )
      : h('p', { className: 'muted' }, t('No 5S audit yet.')),
  );
}

/** The area's open kaizen tickets, each with a note form for someone signed in.
 * @param {Pack} pack
 * @param {Area} area
 * @param {User | null} user
 */
function openTickets(pack, area, user) {
  const tickets = area.open_tickets;
  return h(
    'section',
    { className: 'card' },
    h('h2', {}, `${t('Open kaizen tickets')} `, h('span', { className: 'badge' }, tickets.length)),
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
                  t('%(status)s · due %(date)s', {
                    status: labelOf(pack.vocabulary.ticket_statuses, ticket.status),
                    date: ticket.due || '—',
                  }),
                ),
              ),
              ticket.occurrences > 1 ? h('span', { className: 'badge badge--warn' }, `×${ticket.occurrences}`) : null,
              user ? noteForm(ticket, user) : null,
            ),
          ),
        )
      : h('p', { className: 'muted' }, t('No open tickets in this area.')),
  );
}

/**
 * The area screen: what a label opens.
 * @param {Element} root
 * @param {Pack} pack
 * @param {string} token
 * @param {User | null} user
 */
export async function renderArea(root, pack, token, user) {
  const area = findArea(pack, token);
  if (!area) return mount(root, unknownLabel(pack, token));
  // Nobody signed in at an andon label with no network: the report form itself, kept on this
  // device and sent when the network is back (the server's page cannot be reached now).
  if (!user && area.andon) {
    const { andonForm } = await import('./andon.js');
    mount(
      root,
      andonForm(area),
      h(
        'p',
        { className: 'card--narrow andon-signin' },
        h(
          'a',
          { className: 'button button--quiet button--block', href: `/login?next=/a/${token}` },
          t('I have an account: sign in'),
        ),
      ),
    );
    return;
  }
  // A code typed on the Scan page opens the area but proves no presence: only a scan does.
  const typed = new URLSearchParams(window.location.search).get('via') === 'code';
  const scannedAt = typed ? null : await recordScan(area.id, user);
  const drafts = (await allDrafts(user)).filter((d) => d.area.id === area.id);
  mount(
    root,
    presenceNotice(typed, scannedAt),
    user ? plannedHere(pack, area, token) : null,
    h(
      'header',
      { className: 'area-head' },
      h('p', { className: 'area-code' }, area.code),
      h('h1', {}, area.name),
      h('p', { className: 'muted' }, t('owner %(name)s', { name: area.owner || t(NOT_SET) })),
    ),
    startSection(pack, area, token, user, drafts, typed),
    lastAudit(area),
    openTickets(pack, area, user),
  );
}
