// @ts-check
// "My walks" on the phone: the person's planned walks from the field pack, offline too.
// The state is worked out here from the windows (a walk becomes missed when its window closes
// while the phone is offline); done is what the server said when the pack was fetched, or an
// audit of that checklist and area waiting in this phone's outbox.
import { allDrafts } from '../offline/drafts.js';
import { unsynced } from '../offline/outbox.js';
import { serverNow } from '../offline/pack.js';
import { N_, t } from '../shared/i18n.js';
import { trustedTime } from '../shared/rules.js';
import { dateTime, h, mount } from '../shared/ui.js';

/** The board's card colours for the states the board itself does not have. */
/** @type {Partial<Record<Shown, string>>} */
const KCARD = { waiting: 'late', upcoming: 'due' };

const WORDS = {
  due: ['○', N_('Due')],
  upcoming: ['◌', N_('Coming up')],
  done: ['●', N_('Done')],
  findings: ['▲', N_('Done, findings')],
  late: ['◐', N_('Done late')],
  missed: ['✕', N_('Missed')],
  waiting: ['◔', N_('Done, waiting to sync')],
};

/** @typedef {import('../shared/types').PackWalk} PackWalk */
/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Area} Area */
/** @typedef {import('../shared/types').User} User */
/** @typedef {keyof typeof WORDS} Shown what a walk's card says */

/**
 * @param {PackWalk} walk
 * @param {boolean} waiting an audit in this phone's outbox does it
 * @returns {Shown}
 */
export function walkState(walk, waiting, now = new Date()) {
  if (walk.state === 'done' || walk.state === 'findings' || walk.state === 'late') return walk.state;
  if (waiting) return 'waiting';
  if (now < new Date(walk.window_start)) return 'upcoming';
  return now < new Date(walk.window_end) ? 'due' : 'missed';
}

/** @param {Shown} state */
function card(state) {
  const [shape, word] = WORDS[state];
  return h(
    'span',
    { className: `kcard kcard--${KCARD[state] || state} kcard--inline` },
    h('span', { className: 'kcard__shape', 'aria-hidden': 'true' }, shape),
    h('span', { className: 'kcard__word' }, t(word)),
  );
}

/** Walks an audit waiting in this phone's outbox does, by the server's rule
 * (walks/operations.link_audit): same area and checklist; the window holding its time first,
 * else the latest one it is late for; one audit does one walk. */
/**
 * @param {Pack} pack
 * @param {PackWalk[]} walks
 * @param {User | null} user
 * @param {Date} now
 */
async function waitingWalks(pack, walks, user, now) {
  const keyOf = (/** @type {number} */ versionId) => pack.templates.find((t) => t.version_id === versionId)?.key;
  const audits = (await unsynced(user)).flatMap((entry) => (entry.audit ? [entry.audit] : []));
  /** @type {Set<number>} */
  const taken = new Set();
  for (const audit of audits) {
    // As the server will store it: a time from a clock running ahead is the time it arrives.
    const at = trustedTime(new Date(audit.submitted_at), now);
    const fits = walks
      .filter(
        (walk) =>
          !taken.has(walk.id) &&
          !['done', 'findings', 'late'].includes(walk.state) &&
          audit.area_id === walk.area_id &&
          keyOf(audit.template_version_id) === walk.template_key &&
          at >= new Date(walk.window_start) &&
          at < new Date(walk.late_until),
      )
      .sort(
        (a, b) =>
          Number(at >= new Date(a.window_end)) - Number(at >= new Date(b.window_end)) ||
          Date.parse(b.window_start) - Date.parse(a.window_start),
      );
    if (fits.length) taken.add(fits[0].id);
  }
  return taken;
}

/** The walks to list now: not past the time they could still be done late, or done today. */
/** @param {Pack} pack */
export function currentWalks(pack, now = new Date()) {
  return (pack.walks || []).filter((walk) => now < new Date(walk.late_until) || walk.state !== 'due');
}

const ORDER = ['missed', 'due', 'waiting', 'upcoming', 'late', 'findings', 'done'];

/**
 * @param {Element} root
 * @param {Pack} pack
 * @param {User | null} user
 */
export async function renderWalks(root, pack, user) {
  const now = await serverNow(); // the server's clock: the phone's may run ahead
  const found = currentWalks(pack, now);
  const waiting = await waitingWalks(pack, found, user, now);
  // Most urgent first: missed, then due by when the window closes.
  const rank = (/** @type {PackWalk} */ walk) => ORDER.indexOf(walkState(walk, waiting.has(walk.id), now));
  const walks = found.sort((a, b) => rank(a) - rank(b) || Date.parse(a.window_end) - Date.parse(b.window_end));
  const drafts = await allDrafts(user);
  const areaOf = (/** @type {number} */ id) => pack.areas.find((area) => area.id === id);
  mount(
    root,
    h('h1', {}, t('My walks')),
    walks.length
      ? h(
          'ul',
          { className: 'list card my-walks' },
          walks.map((walk) => {
            const area = areaOf(walk.area_id);
            const state = walkState(walk, waiting.has(walk.id), now);
            const draft = drafts.find((d) => d.area.id === walk.area_id && d.template.key === walk.template_key);
            return h(
              'li',
              { className: 'list__item my-walk', 'data-walk': walk.id, 'data-state': state },
              card(state),
              h(
                'div',
                {},
                h('strong', {}, area ? `${area.code} · ${area.name}` : t('An area no longer in your field data')),
                h(
                  'span',
                  { className: 'muted' },
                  `${walk.template_name || walk.template_key} · ${walk.shift ? `${walk.shift} · ` : ''}` +
                    (state === 'missed'
                      ? t('missed; done by %(time)s it counts as late', { time: dateTime(walk.late_until) })
                      : `${dateTime(walk.window_start)} – ${dateTime(walk.window_end)}`),
                ),
              ),
              ['due', 'missed'].includes(state) && area
                ? draft
                  ? h('a', { className: 'button button--primary', href: `/capture/draft/${draft.uuid}` }, t('Resume'))
                  : h(
                      'a',
                      { className: 'button button--primary', href: '/scan' },
                      t('Scan the label at %(code)s', { code: area.code }),
                    )
                : null,
            );
          }),
        )
      : h('p', { className: 'card' }, t('No walks planned for you today.')),
    h('p', { className: 'muted' }, t('Scan the area’s label to start: the scan shows the walk was done at the gemba.')),
  );
}

/** On the area screen: the walk planned here for this person, with its checklist to start. */
/**
 * @param {Pack} pack
 * @param {Area} area
 * @param {string} token
 */
export function plannedHere(pack, area, token) {
  const walk = currentWalks(pack).find((w) => w.area_id === area.id && walkState(w, false) !== 'done');
  if (!walk || ['done', 'findings', 'late'].includes(walk.state)) return null;
  const state = walkState(walk, false);
  return h(
    'section',
    { className: 'card planned-here', 'aria-label': t('Planned walk') },
    card(state),
    h(
      'p',
      {},
      h('strong', {}, t('Planned: %(name)s', { name: walk.template_name || walk.template_key })),
      ' · ',
      state === 'due'
        ? t('until %(time)s', { time: dateTime(walk.window_end) })
        : t('late until %(time)s', { time: dateTime(walk.late_until) }),
    ),
    h(
      'a',
      { className: 'button button--primary button--big', href: `/a/${token}/start/${walk.template_key}` },
      walk.template_name
        ? t('Start the planned %(name)s', { name: walk.template_name })
        : t('Start the planned checklist'),
    ),
  );
}
