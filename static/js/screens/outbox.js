// Drafts to resume and the outbox: every record's state, progress, "Sync now".
import { allDrafts } from '../drafts.js';
import { allEntries, STATES } from '../outbox.js';
import { flushOutbox, onProgress } from '../sync.js';
import { dateTime, h, megabytes, mount } from '../ui.js';

export async function renderDrafts(root) {
  const drafts = await allDrafts();
  mount(
    root,
    h('h1', {}, 'Drafts'),
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
                  h('span', { className: 'muted' }, `last saved ${dateTime(draft.updated_at)}`),
                ),
                h('span', { className: 'badge' }, 'Resume'),
              ),
            ),
          ),
        )
      : h('p', { className: 'card' }, 'No drafts. Scan an area label to start a walk.'),
  );
}

function ordinal(n) {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th';
  return `${n}${suffix}`;
}

/** What became of each finding: "KZ-0042 opened", "added to KZ-0017, 3rd occurrence"... */
export function ticketText(ticket) {
  if (!ticket) return null;
  if (ticket.outcome === 'opened') return `${ticket.number} opened`;
  if (ticket.outcome === 'joined') return `added to ${ticket.number}, ${ordinal(ticket.occurrences)} occurrence`;
  if (ticket.outcome === 'reopened') return `${ticket.number} reopened — it came back`;
  return ticket.number;
}

function resultText(entry) {
  if (entry.state !== 'synced' || !entry.result) return entry.message;
  const audit = entry.result.audits[0];
  const score = audit?.score_total != null ? ` · 5S ${audit.score_total.toFixed(1)}` : '';
  const notes = entry.result.ticket_notes?.length ? ' · note added to the ticket' : '';
  const findings = entry.result.findings.length ? ` · ${entry.result.findings.length} finding(s)` : '';
  return `Synced ${dateTime(entry.synced_at)}${score}${findings}${notes}`;
}

function ticketList(entry) {
  if (entry.state !== 'synced' || !entry.result) return null;
  const lines = entry.result.findings.map((finding) => ticketText(finding.ticket)).filter(Boolean);
  return lines.length ? h('ul', { className: 'ticket-outcomes' }, lines.map((line) => h('li', {}, line))) : null;
}

export async function renderOutbox(root) {
  const progressBar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Sync progress' });
  const progressText = h('p', { className: 'muted', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { className: 'list card', id: 'outbox-list' });
  const draw = async () => {
    const entries = await allEntries();
    list.replaceChildren(
      ...(entries.length
        ? entries
            .slice()
            .reverse()
            .map((entry) =>
              h(
                'li',
                { className: `list__item outbox-entry outbox-entry--${entry.state}`, 'data-uuid': entry.uuid },
                h('div', {}, h('strong', {}, entry.label), h('span', { className: 'muted' }, resultText(entry)), ticketList(entry)),
                h('span', { className: `badge state state--${entry.state}` }, STATES[entry.state]),
              ),
            )
        : [h('li', { className: 'list__item' }, 'Nothing to send.')]),
    );
    const signin = entries.some((entry) => entry.state === 'signin');
    document.getElementById('signin-prompt')?.toggleAttribute('hidden', !signin);
  };
  onProgress((progress) => {
    progressBar.hidden = Boolean(progress.finished);
    progressBar.max = Math.max(progress.total, 1);
    progressBar.value = progress.done;
    progressText.textContent = progress.finished
      ? `${progress.done} of ${progress.total} sent.`
      : `Sending ${progress.done + 1} of ${progress.total} · ${megabytes(progress.bytes)} of ${megabytes(progress.totalBytes)}`;
    draw();
  });
  mount(
    root,
    h('h1', {}, 'Outbox'),
    new URLSearchParams(window.location.search).has('submitted')
      ? h('p', { className: 'notice notice--ok', role: 'status' }, 'Submitted. It is kept on this phone until the server has it.')
      : null,
    h(
      'p',
      { id: 'signin-prompt', className: 'notice notice--warn', hidden: true },
      'Your session ended. Nothing is lost: ',
      h('a', { href: '/login?next=/capture/outbox' }, 'sign in'),
      ' and the records are sent.',
    ),
    h('button', { type: 'button', className: 'button button--primary button--big', id: 'sync-now', onclick: () => flushOutbox() }, 'Sync now'),
    progressBar,
    progressText,
    list,
  );
  await draw();
}
