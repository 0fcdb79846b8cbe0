// @ts-check
// Finding panels: the box under an item (opened by a low score, an observed waste or a tap),
// and findings on their own that no checklist item covers.
import { newId } from '../../offline/db.js';
import { saveDraft } from '../../offline/drafts.js';
import { deletePhotos, photosOfFinding } from '../../offline/photos.js';
import { N_, t } from '../../shared/i18n.js';
import { defaultSeverity, limitOf } from '../../shared/rules.js';
import { h } from '../../shared/ui.js';
import { photoPicker } from './photos.js';
import { findingFor, hasContent, needsFinding } from './records.js';

/** @typedef {import('../../shared/types').Draft} Draft */
/** @typedef {import('../../shared/types').DraftFinding} DraftFinding */
/** @typedef {import('../../shared/types').Item} Item */
/** @typedef {import('../../shared/types').Template} Template */
/** @typedef {import('../../shared/types').Term} Term */
/** @typedef {import('../../shared/types').Vocabulary} Vocabulary */
/** @typedef {import('../../shared/types').OpenTicket} OpenTicket */
/** @typedef {import('./context.js').ChecklistContext} ChecklistContext */
/** @typedef {(changes: Partial<DraftFinding>) => void} SaveFinding */

// Marked where Babel's JavaScript extractor sees them (it misses calls inside template literals).
const FOR_PROMPT = N_('for: %(prompt)s');

/**
 * @param {Draft} draft
 * @param {Item} item
 * @param {ChecklistContext} context
 * @param {() => void} onClose
 */
function findingPanel(draft, item, context, onClose) {
  const finding = findingFor(draft, item);
  const id = `finding-${item.id}`;
  const vocabulary = context.vocabulary;
  return h(
    'div',
    { className: 'finding', 'data-finding-for': item.id },
    h('label', { for: id }, t('Finding — what did you see?')),
    h(
      'textarea',
      {
        id,
        className: 'input',
        rows: 2,
        maxLength: limitOf('finding', 'description').max_length, // the server's limit, said first here
        oninput: (event) => {
          finding.description = event.target.value;
          saveDraft(draft);
        },
      },
      finding.description,
    ),
    selectField(
      `${id}-severity`,
      t('Severity'),
      vocabulary.severities,
      finding.severity || defaultSeverity(draft.template.kind),
      (v) => {
        finding.severity = /** @type {DraftFinding['severity']} */ (v);
        saveDraft(draft);
      },
    ),
    photoPicker(draft, finding, t('Add photo')),
    needsFinding(draft, item)
      ? null
      : h(
          'button',
          { type: 'button', className: 'button button--quiet finding-close', onclick: onClose },
          t('Close this finding'),
          h('span', { className: 'visually-hidden' }, ' ' + t(FOR_PROMPT, { prompt: item.prompt })),
        ),
  );
}

/**
 * Open or close the item's finding box as its answer asks (or keep the "+ Add a finding" button).
 * @param {Draft} draft
 * @param {Item} item
 * @param {ChecklistContext} context
 * @param {HTMLElement} container
 */
export function toggleFinding(draft, item, context, container) {
  // An abnormality report is itself the finding; a text answer is already a note.
  if (draft.template.kind === 'abnormality' || item.response_type === 'text') return;
  const kept = draft.findings[item.id];
  const show = needsFinding(draft, item) || hasContent(kept) || Boolean(kept?.added);
  const existing = container.querySelector(`[data-finding-for="${item.id}"]`);
  const adder = container.querySelector(`[data-add-finding-for="${item.id}"]`);
  if (show && !existing) {
    adder?.remove();
    container.append(
      findingPanel(draft, item, context, async () => {
        const finding = draft.findings[item.id];
        if (
          hasContent(finding) &&
          !window.confirm(t('Close this finding? What you wrote and its photos are removed.'))
        ) {
          return;
        }
        delete draft.findings[item.id];
        await saveDraft(draft);
        await deletePhotos(finding ? photosOfFinding(finding) : []);
        toggleFinding(draft, item, context, container);
        /** @type {HTMLElement | null} */ (container.querySelector(`[data-add-finding-for="${item.id}"]`))?.focus();
      }),
    );
  }
  if (!show && existing) existing.remove();
  if (!show && !adder) {
    // Any item can carry a finding, not only a low score: one tap opens the panel.
    container.append(
      h(
        'button',
        {
          type: 'button',
          className: 'button button--quiet add-finding',
          'data-add-finding-for': item.id,
          onclick: () => {
            findingFor(draft, item).added = true;
            saveDraft(draft);
            toggleFinding(draft, item, context, container);
            /** @type {HTMLElement | null} */ (container.querySelector(`#finding-${item.id}`))?.focus();
          },
        },
        t('+ Add a finding'),
        h('span', { className: 'visually-hidden' }, ' ' + t(FOR_PROMPT, { prompt: item.prompt })),
      ),
    );
  }
}

// --- findings on their own (anything seen that no checklist item covers) ----------------------

/**
 * @param {Template} template
 * @param {Vocabulary} vocabulary
 */
function categoriesFor(template, vocabulary) {
  if (template.kind === '5s') return vocabulary.pillars;
  if (template.kind === 'waste') return vocabulary.wastes;
  return vocabulary.abnormality_categories;
}

/**
 * @param {string} id
 * @param {string} labelText
 * @param {Term[]} options
 * @param {string | undefined} value
 * @param {(value: string) => void} onChange
 */
export function selectField(id, labelText, options, value, onChange) {
  return [
    h('label', { for: id }, labelText),
    h(
      'select',
      { id, className: 'input', onchange: (event) => onChange(event.target.value) },
      options.map((term) => h('option', { value: term.key, selected: term.key === value }, term.label)),
    ),
  ];
}

/**
 * "Same problem as KZ-…": the area's open tickets, which the phone holds offline.
 * @param {string} id
 * @param {OpenTicket[]} tickets
 * @param {DraftFinding} finding
 * @param {SaveFinding} save
 */
export function sameAsField(id, tickets, finding, save) {
  if (!tickets.length) return null;
  const options = [
    { key: '', label: t('No — a new problem') },
    ...tickets.map((t) => ({ key: t.number, label: `${t.number} · ${t.title}` })),
  ];
  return [
    ...selectField(id, t('Same problem as an open ticket?'), options, finding.same_as_ticket || '', (v) =>
      save({ same_as_ticket: v || null }),
    ),
    h(
      'p',
      { className: 'hint' },
      t('Choose its ticket to add this as another occurrence; otherwise a new ticket opens.'),
    ),
  ];
}

/**
 * @param {Draft} draft
 * @param {DraftFinding} finding
 * @param {ChecklistContext} context
 * @param {() => void} onRemove
 */
function extraFindingPanel(draft, finding, context, onRemove) {
  const vocabulary = context.vocabulary;
  const id = `extra-${finding.uuid}`;
  /** @type {SaveFinding} */
  const save = (changes) => {
    Object.assign(finding, changes);
    saveDraft(draft);
  };
  const categories = categoriesFor(draft.template, vocabulary);
  return h(
    'div',
    { className: 'finding', 'data-extra-finding': finding.uuid },
    selectField(`${id}-category`, t('What kind of problem'), categories, finding.category, (v) =>
      save({ category: v }),
    ),
    selectField(`${id}-severity`, t('Severity'), vocabulary.severities, finding.severity, (v) =>
      save({ severity: /** @type {DraftFinding['severity']} */ (v) }),
    ),
    sameAsField(`${id}-same`, context.tickets, finding, save),
    h('label', { for: `${id}-description` }, t('What did you see?')),
    h(
      'textarea',
      {
        id: `${id}-description`,
        className: 'input',
        rows: 2,
        maxLength: limitOf('finding', 'description').max_length,
        oninput: (event) => save({ description: event.target.value }),
      },
      finding.description,
    ),
    photoPicker(draft, finding, t('Add photo')),
    h('button', { type: 'button', className: 'button button--quiet', onclick: onRemove }, t('Remove this finding')),
  );
}

/**
 * Findings on their own, that no checklist item covers.
 * @param {Draft} draft
 * @param {ChecklistContext} context
 */
export function extraFindingsSection(draft, context) {
  const vocabulary = context.vocabulary;
  draft.extra_findings ||= [];
  const list = h('div', {});
  const render = () => {
    list.replaceChildren(
      ...draft.extra_findings.map((finding) =>
        extraFindingPanel(draft, finding, context, async () => {
          if (hasContent(finding) && !window.confirm(t('Remove this finding and its photos?'))) return;
          draft.extra_findings = draft.extra_findings.filter((f) => f !== finding);
          await saveDraft(draft);
          await deletePhotos(photosOfFinding(finding));
          render();
        }),
      ),
    );
  };
  render();
  return h(
    'section',
    { className: 'card', id: 'extra-findings' },
    h('h2', {}, t('Other findings')),
    h('p', { className: 'muted' }, t('Something this checklist does not ask about? Add it here, with photos.')),
    list,
    h(
      'button',
      {
        type: 'button',
        className: 'button',
        onclick: async () => {
          const categories = categoriesFor(draft.template, vocabulary);
          /** @type {DraftFinding} */
          const finding = {
            uuid: newId(),
            category: categories[0]?.key,
            severity: defaultSeverity(draft.template.kind),
            description: '',
            photo_uuids: [],
          };
          draft.extra_findings.push(finding);
          await saveDraft(draft);
          render();
          document.getElementById(`extra-${finding.uuid}-category`)?.focus();
        },
      },
      t('+ Add a finding on its own'),
    ),
  );
}
