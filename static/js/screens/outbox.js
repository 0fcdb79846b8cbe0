// @ts-check
// Drafts to resume and the outbox: every record's state, progress, "Sync now", and for a record
// that cannot go through, why — with what can help (retry, sign in, download, discard).
import { allDrafts } from '../offline/drafts.js';
import {
  allEntries,
  belongsTo,
  discardEntry,
  entriesOf,
  entryFile,
  STATES,
  update,
  waitingForOthers,
} from '../offline/outbox.js';
import { loadPack } from '../offline/pack.js';
import { flushOutbox, onProgress } from '../offline/sync.js';
import { locale, t } from '../shared/i18n.js';
import { formatScore } from '../shared/rules.js';
import { dateTime, h, megabytes, mount } from '../shared/ui.js';

/** @typedef {import('../shared/types').OutboxEntry} OutboxEntry */
/** @typedef {import('../shared/types').User} User */
/** @typedef {import('../shared/types').SyncResult['findings'][number]['ticket']} FindingTicket */
/** @typedef {() => Promise<void>} Redraw */

/** @param {{name: string, count: number}[]} others */
function othersNotice(others) {
  if (!others.length) return null;
  return h(
    'p',
    { className: 'notice others-waiting', role: 'status' },
    others
      .map(({ name, count }) =>
        t(
          '%(count)s record(s) of %(name)s wait for them to sign in on this phone. ' +
            'They are kept here and sent when their author signs in again.',
          { count, name },
        ),
      )
      .join(' '),
  );
}

/** @param {string} next where signing in leads back to */
function signedOutNotice(next) {
  return h(
    'p',
    { className: 'notice notice--warn', id: 'nobody-signed-in' },
    t('Nobody is signed in on this phone.'),
    ' ',
    h('a', { href: `/login?next=${next}` }, t('Sign in to see and send your records.')),
  );
}

/**
 * @param {Element} root
 * @param {User | null} user
 */
export async function renderDrafts(root, user) {
  const drafts = await allDrafts(user);
  const others = (await allDrafts()).filter((draft) => !user || draft.user_id !== user.id);
  mount(
    root,
    h('h1', {}, t('Drafts')),
    new URLSearchParams(window.location.search).has('discarded')
      ? h('p', { className: 'notice notice--ok', role: 'status' }, t('The draft was discarded.'))
      : null,
    user ? null : signedOutNotice('/capture/drafts'),
    drafts.length
      ? h(
          'ul',
          { className: 'list card' },
          drafts.map((draft) =>
            h(
              'li',
              {},
              h(
                'a',
                { className: 'list__item list__link', href: `/capture/draft/${draft.uuid}` },
                h(
                  'div',
                  {},
                  h('strong', {}, `${draft.template.name} · ${draft.area.code} ${draft.area.name}`),
                  h('span', { className: 'muted' }, t('last saved %(time)s', { time: dateTime(draft.updated_at) })),
                ),
                h('span', { className: 'badge' }, t('Resume')),
              ),
            ),
          ),
        )
      : h('p', { className: 'card' }, t('No drafts. Scan an area label to start a walk.')),
    others.length
      ? h(
          'p',
          { className: 'muted' },
          t('%(count)s draft(s) of other people on this phone are kept for them.', { count: others.length }),
        )
      : null,
  );
}

/** @type {Record<number, string>} */
const SUFFIXES = { 1: 'st', 2: 'nd', 3: 'rd' };

/** @param {number} n */
function ordinal(n) {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : SUFFIXES[n % 10] || 'th';
  return `${n}${suffix}`;
}

/** What became of each finding: "KZ-0042 opened", "added to KZ-0017, 3rd occurrence"... */
/** @param {FindingTicket | undefined} ticket */
export function ticketText(ticket) {
  if (!ticket) return null;
  if (ticket.outcome === 'opened') return t('%(number)s opened', { number: ticket.number });
  if (ticket.outcome === 'joined') {
    const count = ticket.occurrences || 0; // a joined ticket always says how many
    return locale() === 'en'
      ? `added to ${ticket.number}, ${ordinal(count)} occurrence`
      : t('added to %(number)s, occurrence %(count)s', { number: ticket.number, count });
  }
  if (ticket.outcome === 'reopened') return t('%(number)s reopened — it came back', { number: ticket.number });
  return ticket.number;
}

/** @param {OutboxEntry} entry */
function resultText(entry) {
  if (entry.state !== 'synced' || !entry.result) return entry.message;
  const audit = entry.result.audits[0];
  const score = audit?.score_total != null ? ' · ' + t('5S %(score)s', { score: formatScore(audit.score_total) }) : '';
  const notes = entry.result.ticket_notes?.length ? ` · ${t('note added to the ticket')}` : '';
  const count = entry.result.findings.length;
  const findings = count ? ' · ' + t('%(count)s finding(s)', { count }) : '';
  return t('Synced %(time)s', { time: dateTime(entry.synced_at) }) + score + findings + notes;
}

/** @param {OutboxEntry} entry */
function ticketList(entry) {
  if (entry.state !== 'synced' || !entry.result) return null;
  const lines = entry.result.findings.map((finding) => ticketText(finding.ticket)).filter(Boolean);
  return lines.length
    ? h(
        'ul',
        { className: 'ticket-outcomes' },
        lines.map((line) => h('li', {}, String(line))),
      )
    : null;
}

/** Save the entry's records and photos as a file on the phone before anything is thrown away. */
/** @param {OutboxEntry} entry */
async function download(entry) {
  const url = URL.createObjectURL(await entryFile(entry));
  const link = h('a', { href: url, download: `gemba-walk-${entry.uuid}.json`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * @param {OutboxEntry} entry
 * @param {User | null} user
 * @param {Redraw} redraw
 */
function entryActions(entry, user, redraw) {
  if (entry.state === 'synced' || !belongsTo(entry, user)) return null;
  const retry = h(
    'button',
    {
      type: 'button',
      className: 'button',
      onclick: async () => {
        await update(entry.uuid, { state: 'waiting', message: '', next_attempt_at: 0 });
        await redraw();
        await flushOutbox({ force: true });
        await redraw();
      },
    },
    t('Retry'),
    h('span', { className: 'visually-hidden' }, `: ${entry.label}`),
  );
  if (entry.state !== 'attention') {
    return entry.state === 'waiting' && entry.attempts ? h('div', { className: 'actions' }, retry) : null;
  }
  return h('div', { className: 'actions' }, retry, downloadButton(entry), discardButton(entry, redraw));
}

/** "Download a copy" of an entry's records and photos (`named`: the entry's label for a
 * screen reader, where several entries share the screen).
 * @param {OutboxEntry} entry
 */
function downloadButton(entry, named = false) {
  return h(
    'button',
    { type: 'button', className: 'button button--quiet', onclick: () => download(entry) },
    t('Download a copy'),
    named ? h('span', { className: 'visually-hidden' }, `: ${entry.label}`) : null,
  );
}

/**
 * "Discard…": after a confirmation, a copy is downloaded, then the entry is deleted unsent.
 * @param {OutboxEntry} entry
 * @param {Redraw} redraw
 */
function discardButton(entry, redraw, named = false) {
  return h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet button--danger',
      onclick: async () => {
        const ok = window.confirm(
          t(
            'Discard “%(label)s”? A copy with its records and photos is downloaded first; ' +
              'then it is deleted from this phone and never sent.',
            { label: entry.label },
          ),
        );
        if (!ok) return;
        await download(entry);
        await discardEntry(entry);
        await redraw();
      },
    },
    t('Discard…'),
    named ? h('span', { className: 'visually-hidden' }, `: ${entry.label}`) : null,
  );
}

/**
 * Records of people whose account is turned off can never be sent: anyone on the device may keep
 * a copy, and a leader or admin may discard them (a copy is downloaded first). Nobody is a dead end.
 * @param {User | null} user
 * @param {Redraw} redraw
 */
async function turnedOffSection(user, redraw) {
  const pack = await loadPack();
  const off = new Set(pack?.inactive_people || []);
  const stranded = (await allEntries()).filter(
    (entry) =>
      entry.state !== 'synced' && !belongsTo(entry, user) && entry.user_id !== undefined && off.has(entry.user_id),
  );
  if (!stranded.length) return null;
  const mayDiscard = user && ['leader', 'admin'].includes(user.role || pack?.user?.role || '');
  return h(
    'section',
    { className: 'card turned-off', 'aria-labelledby': 'turned-off-h' },
    h('h2', { id: 'turned-off-h' }, t('Records that cannot be sent')),
    ...stranded.map((entry) =>
      h(
        'div',
        { className: 'turned-off__entry', 'data-uuid': entry.uuid },
        h(
          'p',
          { className: 'notice notice--warn' },
          t(
            'The account of %(name)s is turned off, so “%(label)s” can never be sent from this phone. ' +
              'Download a copy to keep it; a leader or admin can discard it.',
            { name: entry.user_name || t('someone else'), label: entry.label },
          ),
        ),
        h(
          'div',
          { className: 'actions' },
          downloadButton(entry, true),
          mayDiscard ? discardButton(entry, redraw, true) : null,
        ),
      ),
    ),
  );
}

/**
 * @param {Element} root
 * @param {User | null} user
 */
export async function renderOutbox(root, user) {
  const progressBar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('Sync progress') });
  const progressText = h('p', { className: 'muted', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { className: 'list card', id: 'outbox-list' });
  const others = h('div', {});
  const draw = async () => {
    const entries = await entriesOf(user);
    list.replaceChildren(
      ...(entries.length
        ? entries
            .slice()
            .reverse()
            .map((entry) =>
              h(
                'li',
                { className: `list__item outbox-entry outbox-entry--${entry.state}`, 'data-uuid': entry.uuid },
                h(
                  'div',
                  {},
                  h('strong', {}, entry.label),
                  h('span', { className: 'muted entry-message' }, resultText(entry)),
                  ticketList(entry),
                  entryActions(entry, user, draw),
                ),
                h('span', { className: `badge state state--${entry.state}` }, t(STATES[entry.state])),
              ),
            )
        : [h('li', { className: 'list__item' }, user ? t('Nothing to send.') : t('No records of yours here.'))]),
    );
    const off = new Set((await loadPack())?.inactive_people || []);
    const waiting = (await waitingForOthers(user)).filter((group) => !off.has(group.user_id));
    others.replaceChildren(othersNotice(waiting) || '', (await turnedOffSection(user, draw)) || '');
    const signin = entries.some((entry) => entry.state === 'signin');
    document.getElementById('signin-prompt')?.toggleAttribute('hidden', !signin);
  };
  onProgress((progress) => {
    progressBar.hidden = Boolean(progress.finished);
    progressBar.max = Math.max(progress.total, 1);
    progressBar.value = progress.done;
    if (progress.total) {
      progressText.textContent = progress.finished
        ? t('%(done)s of %(total)s sent.', { done: progress.done, total: progress.total })
        : t('Sending %(number)s of %(total)s · %(sent)s of %(size)s', {
            number: progress.done + 1,
            total: progress.total,
            sent: megabytes(progress.bytes),
            size: megabytes(progress.totalBytes),
          });
    }
    draw();
  });
  mount(
    root,
    h('h1', {}, t('Outbox')),
    new URLSearchParams(window.location.search).has('submitted')
      ? h(
          'p',
          { className: 'notice notice--ok', role: 'status' },
          t('Submitted. It is kept on this phone until the server has it.'),
        )
      : null,
    user ? null : signedOutNotice('/capture/outbox'),
    h(
      'p',
      { id: 'signin-prompt', className: 'notice notice--warn', hidden: true },
      t('Your session ended. Nothing is lost:'),
      ' ',
      h('a', { href: '/login?next=/capture/outbox' }, t('sign in')),
      ' ',
      t('and the records are sent.'),
    ),
    h(
      'button',
      {
        type: 'button',
        className: 'button button--primary button--big',
        id: 'sync-now',
        onclick: async () => {
          await flushOutbox({ force: true });
          await draw();
        },
      },
      t('Sync now'),
    ),
    progressBar,
    progressText,
    list,
    others,
  );
  await draw();
}
