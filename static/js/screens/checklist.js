// Running a checklist on the phone: 5S scores, waste walk, abnormality report, findings with
// photos. Every change is saved to the draft at once.

import { newId } from '../db.js';
import { deleteDraft, discardDraft, saveDraft } from '../drafts.js';
import { addToOutbox } from '../outbox.js';
import { compressPhoto, deletePhotos, getPhoto, PhotoUnreadable, savePhoto, unreadableMessage } from '../photos.js';
import { defaultSeverity, formatNumber, formatScore, pastLimits, RULES, fiveSScores as scoresOf } from '../rules.js';
import { h, labelOf, mount, time } from '../ui.js';

export { pastLimits };

// What the screen shows beside the draft: the pack's vocabulary and the area's open tickets.
const screen = { vocabulary: { pillars: [], wastes: [], abnormality_categories: [], severities: [] }, tickets: [] };

function sectionsOf(template) {
  const sections = new Map();
  for (const item of template.items) {
    if (!sections.has(item.section)) sections.set(item.section, []);
    sections.get(item.section).push(item);
  }
  return sections;
}

/** Pillar and total scores of a 5S draft, rounded as the server rounds them. */
export function fiveSScores(draft) {
  const scored = draft.template.items
    .filter((item) => item.response_type === 'score')
    .map((item) => [
      item.section,
      Number.isInteger(draft.answers[item.id]?.score) ? draft.answers[item.id].score : null,
    ]);
  return scoresOf(scored, [...sectionsOf(draft.template).keys()]);
}

function needsFinding(draft, item) {
  const answer = draft.answers[item.id] || {};
  if (pastLimits(item, answer)) return true;
  return item.response_type === 'yes_no' && answer.value_bool === true;
}

function findingFor(draft, item) {
  if (!draft.findings[item.id]) {
    draft.findings[item.id] = {
      uuid: newId(),
      description: '',
      photo_uuids: [],
      severity: defaultSeverity(draft.template.kind),
    };
  }
  return draft.findings[item.id];
}

// --- photos ---------------------------------------------------------------------------------

async function thumbnails(draft, finding, container) {
  container.replaceChildren();
  for (const [index, uuid] of finding.photo_uuids.entries()) {
    const photo = await getPhoto(uuid);
    if (!photo) continue;
    const url = URL.createObjectURL(photo.thumb);
    container.append(
      h(
        'figure',
        { className: 'thumb-wrap' },
        h('img', { className: 'thumb', src: url, alt: `Photo ${index + 1}`, width: 72, height: 72 }),
        h(
          'button',
          {
            type: 'button',
            className: 'button button--quiet thumb-remove',
            'aria-label': `Remove photo ${index + 1}`,
            onclick: async () => {
              finding.photo_uuids = finding.photo_uuids.filter((u) => u !== uuid);
              await saveDraft(draft);
              await deletePhotos([uuid]);
              await thumbnails(draft, finding, container);
            },
          },
          '✕',
        ),
      ),
    );
  }
}

function photoPicker(draft, finding, labelText) {
  const list = h('div', { className: 'thumbs', 'aria-live': 'polite' });
  const status = h('div', { className: 'hint photo-status', role: 'status' });
  const inputId = `photo-${finding.uuid}`;
  const input = h('input', {
    id: inputId,
    className: 'photo-input',
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    multiple: true,
    onchange: async (event) => {
      const files = [...event.target.files];
      event.target.value = '';
      const lines = [];
      const say = () =>
        status.replaceChildren(...lines.map((line) => h('p', { className: line.bad ? 'error' : '' }, line.text)));
      for (const [index, file] of files.entries()) {
        lines.push({ text: `Preparing photo ${index + 1} of ${files.length}…` });
        say();
        try {
          const compressed = await compressPhoto(file);
          const uuid = newId();
          await savePhoto(uuid, compressed, { user_id: draft.user_id });
          finding.photo_uuids.push(uuid);
          await saveDraft(draft);
          lines[lines.length - 1] = { text: `Photo kept (${Math.round(compressed.blob.size / 1024)} kB).` };
        } catch (error) {
          const text = error instanceof PhotoUnreadable ? error.message : storageMessage(file, error);
          lines[lines.length - 1] = { text, bad: true };
        }
        say();
      }
      await thumbnails(draft, finding, list);
    },
  });
  thumbnails(draft, finding, list);
  return h(
    'div',
    { className: 'photo-picker' },
    input,
    h('label', { className: 'button', for: inputId }, labelText),
    status,
    list,
  );
}

/** The photo was read, but the phone could not keep it: say so, and not blame the file. */
function storageMessage(file, error) {
  if (error?.name === 'QuotaExceededError') {
    return (
      `${file.name || 'The photo'} could not be kept: this phone’s storage for Gemba Walk is full. ` +
      'Sync now to free space.'
    );
  }
  if (error?.name === 'DataCloneError' || error?.name === 'UnknownError') {
    return (
      `${file.name || 'The photo'} could not be kept: this browser does not let the app store photos ` +
      '(private browsing?). Open Gemba Walk in a normal window.'
    );
  }
  return error
    ? `${file.name || 'The photo'} could not be kept on this phone (${error.name || error}).`
    : unreadableMessage(file);
}

// --- finding panels -------------------------------------------------------------------------

function findingPanel(draft, item, onClose) {
  const finding = findingFor(draft, item);
  const id = `finding-${item.id}`;
  const vocabulary = screen.vocabulary;
  return h(
    'div',
    { className: 'finding', 'data-finding-for': item.id },
    h('label', { for: id }, 'Finding — what did you see?'),
    h(
      'textarea',
      {
        id,
        className: 'input',
        rows: 2,
        oninput: (event) => {
          finding.description = event.target.value;
          saveDraft(draft);
        },
      },
      finding.description,
    ),
    selectField(
      `${id}-severity`,
      'Severity',
      vocabulary.severities,
      finding.severity || defaultSeverity(draft.template.kind),
      (v) => {
        finding.severity = v;
        saveDraft(draft);
      },
    ),
    photoPicker(draft, finding, 'Add photo'),
    needsFinding(draft, item)
      ? null
      : h(
          'button',
          { type: 'button', className: 'button button--quiet finding-close', onclick: onClose },
          'Close this finding',
          h('span', { className: 'visually-hidden' }, ` for: ${item.prompt}`),
        ),
  );
}

/** A finding is something seen: words or a photo. An empty box is not one. */
function hasContent(finding) {
  return Boolean(finding && (finding.description?.trim() || finding.photo_uuids?.length));
}

function toggleFinding(draft, item, container) {
  // An abnormality report is itself the finding; a text answer is already a note.
  if (draft.template.kind === 'abnormality' || item.response_type === 'text') return;
  const kept = draft.findings[item.id];
  const show = needsFinding(draft, item) || hasContent(kept) || Boolean(kept?.added);
  const existing = container.querySelector(`[data-finding-for="${item.id}"]`);
  const adder = container.querySelector(`[data-add-finding-for="${item.id}"]`);
  if (show && !existing) {
    adder?.remove();
    container.append(
      findingPanel(draft, item, async () => {
        const finding = draft.findings[item.id];
        if (hasContent(finding) && !window.confirm('Close this finding? What you wrote and its photos are removed.')) {
          return;
        }
        delete draft.findings[item.id];
        await saveDraft(draft);
        await deletePhotos(finding?.photo_uuids || []);
        toggleFinding(draft, item, container);
        container.querySelector(`[data-add-finding-for="${item.id}"]`)?.focus();
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
            toggleFinding(draft, item, container);
            container.querySelector(`#finding-${item.id}`)?.focus();
          },
        },
        '+ Add a finding',
        h('span', { className: 'visually-hidden' }, ` for: ${item.prompt}`),
      ),
    );
  }
}

// --- findings on their own (anything seen that no checklist item covers) ----------------------

function categoriesFor(template, vocabulary) {
  if (template.kind === '5s') return vocabulary.pillars;
  if (template.kind === 'waste') return vocabulary.wastes;
  return vocabulary.abnormality_categories;
}

function selectField(id, labelText, options, value, onChange) {
  return [
    h('label', { for: id }, labelText),
    h(
      'select',
      { id, className: 'input', onchange: (event) => onChange(event.target.value) },
      options.map((term) => h('option', { value: term.key, selected: term.key === value }, term.label)),
    ),
  ];
}

/** "Same problem as KZ-…": the area's open tickets, which the phone holds offline. */
function sameAsField(id, tickets, finding, save) {
  if (!tickets.length) return null;
  const options = [
    { key: '', label: 'No — a new problem' },
    ...tickets.map((t) => ({ key: t.number, label: `${t.number} · ${t.title}` })),
  ];
  return [
    ...selectField(id, 'Same problem as an open ticket?', options, finding.same_as_ticket || '', (v) =>
      save({ same_as_ticket: v || null }),
    ),
    h('p', { className: 'hint' }, 'Choose its ticket to add this as another occurrence; otherwise a new ticket opens.'),
  ];
}

function extraFindingPanel(draft, finding, vocabulary, onRemove) {
  const id = `extra-${finding.uuid}`;
  const save = (changes) => {
    Object.assign(finding, changes);
    saveDraft(draft);
  };
  const categories = categoriesFor(draft.template, vocabulary);
  return h(
    'div',
    { className: 'finding', 'data-extra-finding': finding.uuid },
    selectField(`${id}-category`, 'What kind of problem', categories, finding.category, (v) => save({ category: v })),
    selectField(`${id}-severity`, 'Severity', vocabulary.severities, finding.severity, (v) => save({ severity: v })),
    sameAsField(`${id}-same`, screen.tickets, finding, save),
    h('label', { for: `${id}-description` }, 'What did you see?'),
    h(
      'textarea',
      {
        id: `${id}-description`,
        className: 'input',
        rows: 2,
        oninput: (event) => save({ description: event.target.value }),
      },
      finding.description,
    ),
    photoPicker(draft, finding, 'Add photo'),
    h('button', { type: 'button', className: 'button button--quiet', onclick: onRemove }, 'Remove this finding'),
  );
}

function extraFindingsSection(draft, vocabulary) {
  draft.extra_findings ||= [];
  const list = h('div', {});
  const render = () => {
    list.replaceChildren(
      ...draft.extra_findings.map((finding) =>
        extraFindingPanel(draft, finding, vocabulary, async () => {
          if (hasContent(finding) && !window.confirm('Remove this finding and its photos?')) return;
          draft.extra_findings = draft.extra_findings.filter((f) => f !== finding);
          await saveDraft(draft);
          await deletePhotos(finding.photo_uuids);
          render();
        }),
      ),
    );
  };
  render();
  return h(
    'section',
    { className: 'card', id: 'extra-findings' },
    h('h2', {}, 'Other findings'),
    h('p', { className: 'muted' }, 'Something this checklist does not ask about? Add it here, with photos.'),
    list,
    h(
      'button',
      {
        type: 'button',
        className: 'button',
        onclick: async () => {
          const categories = categoriesFor(draft.template, vocabulary);
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
      '+ Add a finding on its own',
    ),
  );
}

// --- item inputs ----------------------------------------------------------------------------

function scoreInput(draft, item, onChange) {
  const name = `score-${item.id}`;
  const answer = draft.answers[item.id] || {};
  return h(
    'fieldset',
    { className: 'scores' },
    h('legend', { className: 'visually-hidden' }, `Score for: ${item.prompt}`),
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

function itemBlock(draft, item, vocabulary, rerenderScores) {
  draft.answers[item.id] ||= { uuid: newId() };
  const answer = draft.answers[item.id];
  const block = h('div', { className: 'item', id: `item-${item.id}` });
  const change = (values) => {
    Object.assign(answer, values);
    saveDraft(draft);
    toggleFinding(draft, item, block);
    rerenderScores();
  };
  block.append(h('p', { className: 'item__prompt', id: `prompt-${item.id}` }, item.prompt));
  if (item.help) block.append(h('p', { className: 'hint' }, item.help));
  if (item.response_type === 'score') {
    block.append(scoreInput(draft, item, change));
    if (item.levels?.length) {
      block.append(
        h(
          'details',
          { className: 'levels' },
          h('summary', {}, 'What the scores mean'),
          h(
            'ol',
            { start: 0 },
            item.levels.map((level) => h('li', {}, level)),
          ),
        ),
      );
    }
  } else if (item.response_type === 'yes_no' || item.response_type === 'pass_fail') {
    const [yes, no] = item.response_type === 'yes_no' ? ['Observed', 'Not seen'] : ['Pass', 'Fail'];
    block.append(
      choiceInput(
        item,
        answer.value_bool,
        [
          [true, yes],
          [false, no],
        ],
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
    const options = (item.levels || []).map((value) => [value, labelOf(terms, value)]);
    block.append(choiceInput(item, answer.value_text, options, (v) => change({ value_text: v })));
  } else if (item.response_type === 'number') {
    block.append(
      h('input', {
        className: 'input',
        type: 'number',
        inputmode: 'decimal',
        'aria-labelledby': `prompt-${item.id}`,
        value: answer.value_number ?? '',
        min: item.min ?? null,
        max: item.max ?? null,
        oninput: (e) => change({ value_number: e.target.value === '' ? null : Number(e.target.value) }),
      }),
    );
    if ((item.min ?? null) !== null || (item.max ?? null) !== null) {
      const end = (v) => (v === null || v === undefined ? '…' : formatNumber(v));
      block.append(
        h(
          'p',
          { className: 'hint' },
          `Normal: ${end(item.min)} to ${end(item.max)}. A reading outside opens a finding.`,
        ),
      );
    }
  } else {
    block.append(
      h(
        'textarea',
        {
          className: 'input',
          rows: 3,
          'aria-labelledby': `prompt-${item.id}`,
          oninput: (e) => change({ value_text: e.target.value }),
        },
        answer.value_text || '',
      ),
    );
    // In an abnormality report the description and its photos are the finding.
    if (draft.template.kind === 'abnormality' && item.key === 'description') {
      const finding = findingFor(draft, item);
      if (item.photo_required) block.append(photoPicker(draft, finding, 'Add photo'));
      const same = sameAsField(`same-${item.id}`, screen.tickets, finding, (changes) => {
        Object.assign(finding, changes);
        saveDraft(draft);
      });
      if (same) block.append(h('div', { className: 'same-as' }, same));
    } else if (item.photo_required && draft.template.kind === 'abnormality') {
      block.append(photoPicker(draft, findingFor(draft, item), 'Add photo'));
    }
  }
  if (item.response_type !== 'text') toggleFinding(draft, item, block);
  return block;
}

// --- submitting -----------------------------------------------------------------------------

function buildRecords(draft) {
  const template = draft.template;
  const now = new Date().toISOString();
  const audit = {
    uuid: draft.uuid,
    area_id: draft.area.id,
    template_version_id: template.version_id,
    started_at: draft.started_at,
    submitted_at: now,
    scanned_at: draft.scanned_at,
    note: draft.note || '',
    responses: [],
  };
  const findings = [];
  const base = (finding) => ({
    uuid: finding.uuid,
    audit_uuid: draft.uuid,
    area_id: draft.area.id,
    observed_at: now,
    photo_uuids: finding.photo_uuids,
  });
  const seenInPhotos = (text) => `${text} (see photos)`;
  for (const item of template.items) {
    const answer = draft.answers[item.id] || {};
    const response = { uuid: answer.uuid || newId(), item_id: item.id, note: '' };
    let answered = false;
    for (const field of ['score', 'value_bool', 'value_number', 'value_text']) {
      if (answer[field] !== undefined && answer[field] !== null && answer[field] !== '') {
        response[field] = answer[field];
        answered = true;
      }
    }
    if (answered) audit.responses.push(response);
    // Only what was seen is sent: an empty box is dropped. An answer past its limits with an
    // empty box still opens a ticket — the server makes that finding from the answer itself.
    const finding = draft.findings[item.id];
    if (template.kind !== 'abnormality' && hasContent(finding)) {
      findings.push({
        ...base(finding),
        item_id: item.id,
        kind: template.kind,
        category: item.section,
        severity: finding.severity || defaultSeverity(template.kind),
        description: finding.description.trim() || seenInPhotos(item.prompt),
      });
    }
  }
  if (template.kind === 'abnormality') {
    const byKey = Object.fromEntries(template.items.map((item) => [item.key, draft.answers[item.id] || {}]));
    const described = template.items.find((item) => item.key === 'description');
    const report = findingFor(draft, described);
    findings.push({
      ...base(report),
      item_id: null,
      kind: 'abnormality',
      category: byKey.category.value_text,
      severity: byKey.severity.value_text,
      description: (byKey.description.value_text || '').trim(),
      same_as_ticket: report.same_as_ticket || null,
    });
  }
  for (const finding of draft.extra_findings || []) {
    if (!hasContent(finding)) continue;
    findings.push({
      ...base(finding),
      item_id: null,
      kind: template.kind,
      category: finding.category,
      severity: finding.severity,
      description: finding.description.trim() || RULES.empty_finding_photo_text,
      same_as_ticket: finding.same_as_ticket || null,
    });
  }
  return { audit, findings };
}

/** What still needs an answer: [{item, text}] — the first is where "jump" goes. */
function problemsOf(draft) {
  const template = draft.template;
  const problems = [];
  if (template.kind === '5s') {
    const missing = template.items.filter(
      (item) => item.response_type === 'score' && !Number.isInteger(draft.answers[item.id]?.score),
    );
    if (missing.length) problems.push({ item: missing[0], text: `${missing.length} item(s) have no score yet.` });
  }
  if (template.kind === 'abnormality') {
    for (const item of template.items) {
      const answer = draft.answers[item.id] || {};
      if (item.response_type !== 'text' && item.response_type !== 'choice') continue;
      if (!answer.value_text || !String(answer.value_text).trim()) {
        problems.push({ item, text: `Answer: ${item.prompt}` });
      }
    }
  }
  for (const item of template.items) {
    // An observed waste is a finding: it needs what was seen, in words or a photo.
    const answer = draft.answers[item.id] || {};
    if (
      template.kind !== 'abnormality' &&
      item.response_type === 'yes_no' &&
      answer.value_bool === true &&
      !hasContent(draft.findings[item.id])
    ) {
      problems.push({ item, text: `Describe what you saw, or add a photo, for: ${item.prompt}` });
    }
    // "Photo required" asks for a photo on the item's finding (an abnormality report is one).
    if (!item.photo_required) continue;
    const finding = draft.findings[item.id];
    const sent = template.kind === 'abnormality' || hasContent(finding);
    if (sent && !finding?.photo_uuids.length) problems.push({ item, text: `Add a photo for: ${item.prompt}` });
  }
  return problems;
}

async function submit(draft, errorBox) {
  const problems = problemsOf(draft);
  if (problems.length) {
    errorBox.replaceChildren(h('p', {}, problems.map((p) => p.text).join(' ')));
    errorBox.hidden = false;
    document.getElementById(`item-${problems[0].item.id}`)?.scrollIntoView({ block: 'center' });
    errorBox.focus();
    return;
  }
  const { audit, findings } = buildRecords(draft);
  let photoBytes = 0;
  for (const uuid of findings.flatMap((f) => f.photo_uuids)) photoBytes += (await getPhoto(uuid))?.size || 0;
  // Photos of boxes that were dropped go with the draft.
  const sent = new Set(findings.flatMap((f) => f.photo_uuids));
  const dropped = [...Object.values(draft.findings), ...(draft.extra_findings || [])]
    .flatMap((f) => f.photo_uuids || [])
    .filter((u) => !sent.has(u));
  await addToOutbox({
    audit,
    findings,
    photoBytes,
    label: `${draft.template.name} · ${draft.area.code} ${draft.area.name}`,
    user: { id: draft.user_id, name: draft.user_name },
  });
  await deleteDraft(draft.uuid);
  await deletePhotos(dropped);
  window.location.assign('/capture/outbox?submitted=1');
}

/** "12 of 15 scored", with a jump to the first item still open. */
function progressLine(draft) {
  const template = draft.template;
  const line = h('span', { className: 'progress-line', 'aria-live': 'polite' });
  const draw = () => {
    const counted =
      template.kind === '5s'
        ? template.items.filter((i) => i.response_type === 'score')
        : template.items.filter((i) => i.response_type !== 'text');
    const done = (item) => {
      const answer = draft.answers[item.id] || {};
      return ['score', 'value_bool', 'value_number', 'value_text'].some(
        (f) => answer[f] !== undefined && answer[f] !== null && answer[f] !== '',
      );
    };
    const open = counted.filter((item) => !done(item));
    const verb = template.kind === '5s' ? 'scored' : 'answered';
    line.replaceChildren(`${counted.length - open.length} of ${counted.length} ${verb}`);
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
              target?.querySelector('input, textarea, select')?.focus({ preventScroll: true });
            },
          },
          `Go to the first ${template.kind === '5s' ? 'unscored' : 'unanswered'} item`,
        ),
      );
    }
  };
  draw();
  return { line, draw };
}

// --- the screen -----------------------------------------------------------------------------

export function renderChecklist(root, pack, draft) {
  const template = draft.template;
  screen.vocabulary = pack?.vocabulary || screen.vocabulary;
  screen.tickets = pack?.areas?.find((area) => area.id === draft.area.id)?.open_tickets || [];
  const vocabulary = screen.vocabulary;
  const totals = h('span', { className: 'live-score__total', 'aria-live': 'polite' });
  const pillarScores = new Map();
  const progress = progressLine(draft);
  const rerenderScores = () => {
    progress.draw();
    if (template.kind !== '5s') return;
    const { pillars, total } = fiveSScores(draft);
    totals.textContent = total === null ? '5S score: not scored yet' : `5S score ${formatScore(total)} of 5`;
    for (const [section, element] of pillarScores) {
      element.textContent = pillars[section] === undefined ? '–' : formatScore(pillars[section]);
    }
  };
  const sectionTerms = [...vocabulary.pillars, ...vocabulary.wastes];
  const sections = [...sectionsOf(template)].map(([section, items]) => {
    const score = h('span', { className: 'pillar-score' }, '–');
    pillarScores.set(section, score);
    return h(
      'section',
      { className: 'card checklist-section' },
      h(
        'h2',
        {},
        labelOf(sectionTerms, section) === section && section === 'report' ? 'Report' : labelOf(sectionTerms, section),
        template.kind === '5s' ? score : null,
      ),
      items.map((item) => itemBlock(draft, item, vocabulary, rerenderScores)),
    );
  });
  const errorBox = h('div', { className: 'notice notice--warn', role: 'alert', tabindex: -1, hidden: true });
  mount(
    root,
    h(
      'header',
      { className: 'area-head' },
      h('p', { className: 'area-code' }, draft.area.code),
      h('h1', {}, `${template.name} · ${draft.area.name}`),
      draft.scanned_at
        ? h(
            'p',
            { className: 'muted' },
            `Started at the gemba by scan at ${time(draft.scanned_at)} · saved on this phone as you go`,
          )
        : h('p', { className: 'muted' }, 'Not started from a label scan · saved on this phone as you go'),
      h('div', { className: 'live-score' }, template.kind === '5s' ? totals : null, progress.line),
    ),
    sections,
    template.kind === 'abnormality' ? null : extraFindingsSection(draft, vocabulary),
    h(
      'section',
      { className: 'card' },
      h('label', { for: 'audit-note' }, 'Note for the whole walk (optional)'),
      h(
        'textarea',
        {
          id: 'audit-note',
          className: 'input',
          rows: 2,
          oninput: (e) => {
            draft.note = e.target.value;
            saveDraft(draft);
          },
        },
        draft.note || '',
      ),
    ),
    errorBox,
    h(
      'button',
      { type: 'button', className: 'button button--primary button--big', onclick: () => submit(draft, errorBox) },
      'Submit — send when online',
    ),
    h(
      'button',
      {
        type: 'button',
        className: 'button button--quiet button--danger discard-draft',
        onclick: async () => {
          const photos = [...Object.values(draft.findings), ...(draft.extra_findings || [])].reduce(
            (n, f) => n + (f.photo_uuids?.length || 0),
            0,
          );
          const what = photos ? ` and its ${photos} photo(s)` : '';
          if (!window.confirm(`Discard this draft${what}? It is deleted from this phone and cannot be brought back.`)) {
            return;
          }
          await discardDraft(draft);
          window.location.assign('/capture/drafts?discarded=1');
        },
      },
      'Discard this draft',
    ),
  );
  rerenderScores();
}
