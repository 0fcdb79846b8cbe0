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

function resultText(entry) {
  if (entry.state !== 'synced' || !entry.result) return entry.message;
  const audit = entry.result.audits[0];
  const score = audit?.score_total != null ? ` · 5S ${audit.score_total.toFixed(1)}` : '';
  return `Synced ${dateTime(entry.synced_at)}${score} · ${entry.result.findings.length} finding(s)`;
}

export async function renderOutbox(root) {
  const progressBar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Sync progress' });
  const progressText = h('p', { className: 'muted', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { className: 'list card', id: 'outbox-list' });
  const storage = h('p', { className: 'muted' });
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
                h('div', {}, h('strong', {}, entry.label), h('span', { className: 'muted' }, resultText(entry))),
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
    storage,
  );
  await draw();
  if (navigator.storage?.estimate) {
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    if (quota && usage / quota > 0.8) {
      storage.className = 'notice notice--warn';
      storage.textContent = `This phone's storage for the app is nearly full (${megabytes(usage)} of ${megabytes(quota)}). Sync now and free space.`;
    }
  }
}
