// @ts-check
// Running a checklist on the phone: 5S scores, waste walk, abnormality report, findings with
// photos. Every change is saved to the draft at once.
// The screen itself; its parts live in screens/checklist/ (inputs, findings, photos, records).
import { discardDraft, saveDraft } from '../offline/drafts.js';
import { t } from '../shared/i18n.js';
import { formatScore, limitOf, pastLimits } from '../shared/rules.js';
import { h, labelOf, mount, time } from '../shared/ui.js';
import { checklistContext } from './checklist/context.js';
import { extraFindingsSection } from './checklist/findings.js';
import { itemBlock, levelsBox } from './checklist/inputs.js';
import { fiveSScores, sectionsOf, submit } from './checklist/records.js';
import { signaturePad } from './checklist/signature.js';

export { fiveSScores, pastLimits };

/** @typedef {import('../shared/types').Draft} Draft */
/** @typedef {import('../shared/types').Item} Item */
/** @typedef {import('../shared/types').Answer} Answer */
/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Vocabulary} Vocabulary */

/** "12 of 15 scored", with a jump to the first item still open.
 * @param {Draft} draft
 */
function progressLine(draft) {
  const template = draft.template;
  const line = h('span', { className: 'progress-line', 'aria-live': 'polite' });
  const draw = () => {
    const counted =
      template.kind === '5s'
        ? template.items.filter((i) => i.response_type === 'score')
        : template.items.filter((i) => i.response_type !== 'text');
    const done = (/** @type {Item} */ item) => {
      /** @type {Answer} */
      const answer = draft.answers[item.id] || {};
      return /** @type {const} */ (['score', 'value_bool', 'value_number', 'value_text']).some(
        (f) => answer[f] !== undefined && answer[f] !== null && answer[f] !== '',
      );
    };
    const open = counted.filter((item) => !done(item));
    const params = { done: counted.length - open.length, count: counted.length };
    line.replaceChildren(
      template.kind === '5s' ? t('%(done)s of %(count)s scored', params) : t('%(done)s of %(count)s answered', params),
    );
    if (open.length) {
      line.append(
        ' · ',
        h(
          'a',
          {
            href: `#item-${open[0].id}`,
            className: 'jump',
            onclick: (event) => {
              event.preventDefault();
              const target = document.getElementById(`item-${open[0].id}`);
              target?.scrollIntoView({ block: 'center' });
              /** @type {HTMLElement | null | undefined} */ (target?.querySelector('input, textarea, select'))?.focus({
                preventScroll: true,
              });
            },
          },
          template.kind === '5s' ? t('Go to the first unscored item') : t('Go to the first unanswered item'),
        ),
      );
    }
  };
  draw();
  return { line, draw };
}

// --- the screen -----------------------------------------------------------------------------

/** A pillar's badge says how far it is: "0 of 3 scored", "2 of 3 scored · 3.5", "3.7 · done".
 * @param {Draft} draft
 * @param {HTMLElement} element
 * @param {string} section
 * @param {number | undefined} score
 */
function drawSectionBadge(draft, element, section, score) {
  const items = draft.template.items.filter((i) => i.section === section && i.response_type === 'score');
  const scored = items.filter((i) => Number.isFinite(draft.answers[i.id]?.score)).length;
  const done = scored === items.length;
  element.className = `pillar-score${done ? ' pillar-score--done' : ''}`;
  element.textContent = done
    ? t('%(score)s · all scored', { score: formatScore(score) })
    : t('%(done)s of %(count)s scored', { done: scored, count: items.length }) +
      (score === undefined ? '' : ` · ${formatScore(score)}`);
}

/** The walk's head: where, when it started (by a scan or not), what the scores mean, how far.
 * @param {Draft} draft
 * @param {Vocabulary} vocabulary
 * @param {HTMLElement} totals
 * @param {HTMLElement} progress
 */
function checklistHeader(draft, vocabulary, totals, progress) {
  const template = draft.template;
  return h(
    'header',
    { className: 'area-head' },
    h('p', { className: 'area-code' }, draft.area.code),
    h('h1', {}, `${template.name} · ${draft.area.name}`),
    draft.scanned_at
      ? h(
          'p',
          { className: 'muted' },
          t('Started at the gemba by scan at %(time)s · saved on this phone as you go', {
            time: time(draft.scanned_at),
          }),
        )
      : h('p', { className: 'muted' }, t('Not started from a label scan · saved on this phone as you go')),
    template.items.some((i) => i.response_type === 'score') && vocabulary.score_levels?.length
      ? levelsBox(vocabulary.score_levels, t('What the scores 0–5 mean'))
      : null,
    h('div', { className: 'live-score' }, template.kind === '5s' ? totals : null, progress),
  );
}

/** The note for the whole walk, saved to the draft as it is typed.
 * @param {Draft} draft
 */
function walkNote(draft) {
  return h(
    'section',
    { className: 'card' },
    h('label', { for: 'audit-note' }, t('Note for the whole walk (optional)')),
    h(
      'textarea',
      {
        id: 'audit-note',
        className: 'input',
        rows: 2,
        maxLength: limitOf('audit', 'note').max_length,
        oninput: (e) => {
          draft.note = e.target.value;
          saveDraft(draft);
        },
      },
      draft.note || '',
    ),
  );
}

/** Discard the draft and its photos from this phone, once confirmed.
 * @param {Draft} draft
 */
function discardButton(draft) {
  return h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet button--danger discard-draft',
      onclick: async () => {
        const photos = [...Object.values(draft.findings), ...(draft.extra_findings || [])].reduce(
          (n, f) => n + (f.photo_uuids?.length || 0),
          0,
        );
        const question = photos
          ? t(
              'Discard this draft and its %(count)s photo(s)? ' +
                'It is deleted from this phone and cannot be brought back.',
              { count: photos },
            )
          : t('Discard this draft? It is deleted from this phone and cannot be brought back.');
        if (!window.confirm(question)) {
          return;
        }
        await discardDraft(draft);
        window.location.assign('/capture/drafts?discarded=1');
      },
    },
    t('Discard this draft'),
  );
}

/**
 * The checklist screen of a draft.
 * @param {Element} root
 * @param {Pack | null | undefined} pack
 * @param {Draft} draft
 */
export function renderChecklist(root, pack, draft) {
  const template = draft.template;
  const context = checklistContext(pack, draft);
  const vocabulary = context.vocabulary;
  const totals = h('span', { className: 'live-score__total', 'aria-live': 'polite' });
  const pillarScores = new Map();
  const progress = progressLine(draft);
  const rerenderScores = () => {
    progress.draw();
    if (template.kind !== '5s') return;
    const { pillars, total } = fiveSScores(draft);
    totals.textContent =
      total === null ? t('5S score: not scored yet') : t('5S score %(score)s of 5', { score: formatScore(total) });
    for (const [section, element] of pillarScores) drawSectionBadge(draft, element, section, pillars[section]);
  };
  const sectionTerms = [...vocabulary.pillars, ...vocabulary.wastes];
  const sections = [...sectionsOf(template)].map(([section, items]) => {
    const score = h('span', { className: 'pillar-score' });
    pillarScores.set(section, score);
    return h(
      'section',
      { className: 'card checklist-section' },
      h(
        'h2',
        {},
        labelOf(sectionTerms, section) === section && section === 'report'
          ? t('Report')
          : labelOf(sectionTerms, section),
        template.kind === '5s' ? score : null,
      ),
      items.map((item) => itemBlock(draft, item, context, rerenderScores)),
    );
  });
  const errorBox = h('div', { className: 'notice notice--warn', role: 'alert', tabindex: -1, hidden: true });
  mount(
    root,
    checklistHeader(draft, vocabulary, totals, progress.line),
    sections,
    template.kind === 'abnormality' ? null : extraFindingsSection(draft, context),
    walkNote(draft),
    signaturePad(draft),
    errorBox,
    h(
      'button',
      { type: 'button', className: 'button button--primary button--big', onclick: () => submit(draft, errorBox) },
      t('Submit — send when online'),
    ),
    discardButton(draft),
  );
  rerenderScores();
}
