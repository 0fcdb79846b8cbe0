// @ts-check
// How each checklist item is answered: scores 0–5, yes/no and pass/fail, choices, readings and
// text; every change is saved to the draft at once and opens or closes the item's finding box.
import { newId } from '../../offline/db.js';
import { saveDraft } from '../../offline/drafts.js';
import { t } from '../../shared/i18n.js';
import { formatNumber, limitOf } from '../../shared/rules.js';
import { h, labelOf } from '../../shared/ui.js';
import { sameAsField, toggleFinding } from './findings.js';
import { photoPicker } from './photos.js';
import { findingFor } from './records.js';

/** @typedef {import('../../shared/types').Draft} Draft */
/** @typedef {import('../../shared/types').Item} Item */
/** @typedef {import('../../shared/types').Answer} Answer */
/** @typedef {import('./context.js').ChecklistContext} ChecklistContext */
/** @typedef {(values: Partial<Answer>) => void} OnChange */

/**
 * @param {Draft} draft
 * @param {Item} item
 * @param {OnChange} onChange
 */
function scoreInput(draft, item, onChange) {
  const name = `score-${item.id}`;
  /** @type {Answer} */
  const answer = draft.answers[item.id] || {};
  return h(
    'fieldset',
    { className: 'scores' },
    h('legend', { className: 'visually-hidden' }, t('Score for: %(prompt)s', { prompt: item.prompt })),
    [0, 1, 2, 3, 4, 5].map((score) =>
      h(
        'label',
        { className: 'score-choice' },
        h('input', {
          type: 'radio',
          name,
          value: score,
          checked: answer.score === score,
          onchange: () => onChange({ score }),
        }),
        h('span', {}, score),
      ),
    ),
  );
}

/**
 * @template V
 * @param {Item} item
 * @param {V | null | undefined} answer
 * @param {[V, string][]} options value and its words
 * @param {(value: V) => void} onChange
 */
function choiceInput(item, answer, options, onChange) {
  return h(
    'fieldset',
    { className: 'choices' },
    h('legend', { className: 'visually-hidden' }, item.prompt),
    options.map(([value, label]) =>
      h(
        'label',
        { className: 'choice' },
        h('input', {
          type: 'radio',
          name: `item-${item.id}`,
          value: String(value),
          checked: answer === value,
          onchange: () => onChange(value),
        }),
        h('span', {}, label),
      ),
    ),
  );
}

/**
 * @param {string[]} levels
 * @param {string[] | undefined} standard
 */
function sameLevels(levels, standard) {
  return Array.isArray(standard) && levels.length === standard.length && levels.every((l, i) => l === standard[i]);
}

/**
 * Score levels numbered once: "0 — Not started: …" and "Not started: …" both show as 0 · Not started.
 * @param {string[]} levels
 * @param {string} title
 */
export function levelsBox(levels, title) {
  return h(
    'details',
    { className: 'levels' },
    h('summary', {}, title),
    h(
      'ul',
      { className: 'levels__list' },
      levels.map((level, score) =>
        h(
          'li',
          {},
          h('span', { className: 'levels__score' }, String(score)),
          ' ',
          String(level).replace(/^\s*\d+\s*[—–:.)-]?\s*/, ''),
        ),
      ),
    ),
  );
}

/**
 * A reading: the number field, and its normal range when the item has one.
 * @param {Item} item
 * @param {Answer} answer
 * @param {OnChange} change
 * @returns {HTMLElement[]}
 */
function readingInput(item, answer, change) {
  const input = h('input', {
    className: 'input',
    type: 'number',
    inputmode: 'decimal',
    'aria-labelledby': `prompt-${item.id}`,
    value: answer.value_number ?? '',
    min: item.min ?? null,
    max: item.max ?? null,
    oninput: (e) => change({ value_number: e.target.value === '' ? null : Number(e.target.value) }),
  });
  if ((item.min ?? null) === null && (item.max ?? null) === null) return [input];
  const end = (/** @type {number | null | undefined} */ v) => (v === null || v === undefined ? '…' : formatNumber(v));
  return [
    input,
    h(
      'p',
      { className: 'hint' },
      t('Normal: %(min)s to %(max)s. A reading outside opens a finding.', {
        min: end(item.min),
        max: end(item.max),
      }),
    ),
  ];
}

/**
 * One checklist item: its prompt, its input, and its finding box when it needs one.
 * @param {Draft} draft
 * @param {Item} item
 * @param {ChecklistContext} context
 * @param {() => void} rerenderScores
 */
export function itemBlock(draft, item, context, rerenderScores) {
  const vocabulary = context.vocabulary;
  draft.answers[item.id] ||= { uuid: newId() };
  const answer = draft.answers[item.id];
  const block = h('div', { className: 'item', id: `item-${item.id}` });
  /** @type {OnChange} */
  const change = (values) => {
    Object.assign(answer, values);
    saveDraft(draft);
    toggleFinding(draft, item, context, block);
    rerenderScores();
  };
  block.append(h('p', { className: 'item__prompt', id: `prompt-${item.id}` }, item.prompt));
  if (item.help) block.append(h('p', { className: 'hint' }, item.help));
  if (item.response_type === 'score') {
    block.append(scoreInput(draft, item, change));
    // The item's own level descriptions; the standard ones are shown once for the checklist.
    if (item.levels?.length && !sameLevels(item.levels, vocabulary.score_levels)) {
      block.append(levelsBox(item.levels, t('What the scores mean here')));
    }
  } else if (item.response_type === 'yes_no' || item.response_type === 'pass_fail') {
    const [yes, no] = item.response_type === 'yes_no' ? [t('Observed'), t('Not seen')] : [t('Pass'), t('Fail')];
    block.append(
      choiceInput(
        item,
        answer.value_bool,
        /** @type {[boolean, string][]} */ ([
          [true, yes],
          [false, no],
        ]),
        (v) => change({ value_bool: v }),
      ),
    );
  } else if (item.response_type === 'choice') {
    const terms =
      item.key === 'category'
        ? vocabulary.abnormality_categories
        : item.key === 'severity'
          ? vocabulary.severities
          : [];
    const options = (item.levels || []).map(
      (value) => /** @type {[string, string]} */ ([value, labelOf(terms, value)]),
    );
    block.append(choiceInput(item, answer.value_text, options, (v) => change({ value_text: v })));
  } else if (item.response_type === 'number') {
    block.append(...readingInput(item, answer, change));
  } else {
    block.append(
      h(
        'textarea',
        {
          className: 'input',
          rows: 3,
          maxLength: limitOf('response', 'value_text').max_length,
          'aria-labelledby': `prompt-${item.id}`,
          oninput: (e) => change({ value_text: e.target.value }),
        },
        answer.value_text || '',
      ),
    );
    // In an abnormality report the description and its photos are the finding.
    if (draft.template.kind === 'abnormality' && item.key === 'description') {
      const finding = findingFor(draft, item);
      if (item.photo_required) block.append(photoPicker(draft, finding, t('Add photo')));
      const same = sameAsField(`same-${item.id}`, context.tickets, finding, (/** @type {object} */ changes) => {
        Object.assign(finding, changes);
        saveDraft(draft);
      });
      if (same) block.append(h('div', { className: 'same-as' }, same));
    } else if (item.photo_required && draft.template.kind === 'abnormality') {
      block.append(photoPicker(draft, findingFor(draft, item), t('Add photo')));
    }
  }
  if (item.response_type !== 'text') toggleFinding(draft, item, context, block);
  return block;
}
