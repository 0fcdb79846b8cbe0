// Running a checklist on the phone: 5S scores, waste walk, abnormality report, findings with
// photos. Every change is saved to the draft at once.
import { addToOutbox } from '../outbox.js';
import { deleteDraft, saveDraft } from '../drafts.js';
import { newId } from '../db.js';
import { compressPhoto, getPhoto, savePhoto } from '../photos.js';
import { h, labelOf, mount, time } from '../ui.js';

function sectionsOf(template) {
  const sections = new Map();
  for (const item of template.items) {
    if (!sections.has(item.section)) sections.set(item.section, []);
    sections.get(item.section).push(item);
  }
  return sections;
}

function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function fiveSScores(draft) {
  const pillars = {};
  for (const [section, items] of sectionsOf(draft.template)) {
    const scores = items.map((item) => draft.answers[item.id]?.score).filter((s) => Number.isInteger(s));
    const value = mean(scores);
    if (value !== null) pillars[section] = value;
  }
  return { pillars, total: mean(Object.values(pillars)) };
}

/** Why this answer is a problem worth a ticket (the server applies the same limits), or ''. */
export function pastLimits(item, answer) {
  if (item.response_type === 'score') {
    const limit = item.ticket_threshold;
    return Number.isInteger(answer.score) && limit !== null && limit !== undefined && answer.score <= limit ? `scored ${answer.score}` : '';
  }
  if (item.response_type === 'pass_fail') return answer.value_bool === false ? 'failed' : '';
  if (item.response_type === 'number' && typeof answer.value_number === 'number') {
    const { min, max } = item;
    if ((min !== null && min !== undefined && answer.value_number < min) || (max !== null && max !== undefined && answer.value_number > max)) {
      return `reading ${answer.value_number} is outside the normal range ${min ?? '…'} to ${max ?? '…'}`;
    }
  }
  return '';
}

function needsFinding(draft, item) {
  const answer = draft.answers[item.id] || {};
  if (pastLimits(item, answer)) return true;
  return item.response_type === 'yes_no' && answer.value_bool === true;
}

function findingFor(draft, item) {
  if (!draft.findings[item.id]) draft.findings[item.id] = { uuid: newId(), description: '', photo_uuids: [] };
  return draft.findings[item.id];
}

// --- photos ---------------------------------------------------------------------------------

async function thumbnails(finding, container) {
  container.replaceChildren();
  for (const uuid of finding.photo_uuids) {
    const photo = await getPhoto(uuid);
    if (!photo) continue;
    const url = URL.createObjectURL(photo.thumb);
    container.append(h('img', { className: 'thumb', src: url, alt: `Photo ${finding.photo_uuids.indexOf(uuid) + 1}`, width: 72, height: 72 }));
  }
}

function photoPicker(draft, finding, labelText) {
  const list = h('div', { className: 'thumbs', 'aria-live': 'polite' });
  const status = h('span', { className: 'hint', role: 'status' });
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
      for (const file of files) {
        status.textContent = 'Preparing photo…';
        try {
          const compressed = await compressPhoto(file);
          const uuid = newId();
          await savePhoto(uuid, compressed);
          finding.photo_uuids.push(uuid);
          await saveDraft(draft);
          status.textContent = `Photo kept (${Math.round(compressed.blob.size / 1024)} kB).`;
        } catch {
          status.textContent = 'This file could not be read as a photo. Try again.';
        }
      }
      await thumbnails(finding, list);
    },
  });
  thumbnails(finding, list);
  return h(
    'div',
    { className: 'photo-picker' },
    input,
    h('label', { className: 'button', for: inputId }, labelText),
    status,
    list,
  );
}

// --- finding panels -------------------------------------------------------------------------

function findingPanel(draft, item) {
  const finding = findingFor(draft, item);
  const id = `finding-${item.id}`;
  return h(
    'div',
    { className: 'finding', 'data-finding-for': item.id },
    h('label', { for: id }, 'Finding — what did you see?'),
    h('textarea', {
      id,
      className: 'input',
      rows: 2,
      oninput: (event) => {
        finding.description = event.target.value;
        saveDraft(draft);
      },
    }, finding.description),
    photoPicker(draft, finding, 'Add photo'),
  );
}

function hasContent(finding) {
  return Boolean(finding && (finding.description?.trim() || finding.photo_uuids.length || finding.added));
}

function toggleFinding(draft, item, container) {
  // An abnormality report is itself the finding; a text answer is already a note.
  if (draft.template.kind === 'abnormality' || item.response_type === 'text') return;
  const show = needsFinding(draft, item) || hasContent(draft.findings[item.id]);
  const existing = container.querySelector(`[data-finding-for="${item.id}"]`);
  const adder = container.querySelector(`[data-add-finding-for="${item.id}"]`);
  if (show && !existing) {
    adder?.remove();
    container.append(findingPanel(draft, item));
  }
  if (!show && existing) existing.remove();
  if (!show && !adder) {
    // Any item can carry a finding, not only a low score: one tap opens the panel.
    container.append(
      h('button', {
        type: 'button',
        className: 'button button--quiet add-finding',
        'data-add-finding-for': item.id,
        onclick: () => {
          findingFor(draft, item).added = true;
          saveDraft(draft);
          toggleFinding(draft, item, container);
          container.querySelector(`#finding-${item.id}`)?.focus();
        },
      }, '+ Add a finding', h('span', { className: 'visually-hidden' }, ` for: ${item.prompt}`)),
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
    h('label', { for: `${id}-description` }, 'What did you see?'),
    h('textarea', {
      id: `${id}-description`,
      className: 'input',
      rows: 2,
      oninput: (event) => save({ description: event.target.value }),
    }, finding.description),
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
          draft.extra_findings = draft.extra_findings.filter((f) => f !== finding);
          await saveDraft(draft);
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
    h('button', {
      type: 'button',
      className: 'button',
      onclick: async () => {
        const categories = categoriesFor(draft.template, vocabulary);
        const finding = { uuid: newId(), category: categories[0]?.key, severity: 'medium', description: '', photo_uuids: [] };
        draft.extra_findings.push(finding);
        await saveDraft(draft);
        render();
        document.getElementById(`extra-${finding.uuid}-category`)?.focus();
      },
    }, '+ Add a finding on its own'),
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
  const answer = (draft.answers[item.id] ||= { uuid: newId() });
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
        h('details', { className: 'levels' }, h('summary', {}, 'What the scores mean'),
          h('ol', { start: 0 }, item.levels.map((level) => h('li', {}, level)))),
      );
    }
  } else if (item.response_type === 'yes_no' || item.response_type === 'pass_fail') {
    const [yes, no] = item.response_type === 'yes_no' ? ['Observed', 'Not seen'] : ['Pass', 'Fail'];
    block.append(choiceInput(item, answer.value_bool, [[true, yes], [false, no]], (v) => change({ value_bool: v })));
  } else if (item.response_type === 'choice') {
    const terms = item.key === 'category' ? vocabulary.abnormality_categories : item.key === 'severity' ? vocabulary.severities : [];
    const options = (item.levels || []).map((value) => [value, labelOf(terms, value)]);
    block.append(choiceInput(item, answer.value_text, options, (v) => change({ value_text: v })));
  } else if (item.response_type === 'number') {
    block.append(h('input', {
      className: 'input', type: 'number', inputmode: 'decimal', 'aria-labelledby': `prompt-${item.id}`,
      value: answer.value_number ?? '', min: item.min ?? null, max: item.max ?? null,
      oninput: (e) => change({ value_number: e.target.value === '' ? null : Number(e.target.value) }),
    }));
    if ((item.min ?? null) !== null || (item.max ?? null) !== null) {
      block.append(h('p', { className: 'hint' }, `Normal: ${item.min ?? '…'} to ${item.max ?? '…'}. A reading outside opens a finding.`));
    }
  } else {
    block.append(h('textarea', {
      className: 'input', rows: 3, 'aria-labelledby': `prompt-${item.id}`,
      oninput: (e) => change({ value_text: e.target.value }),
    }, answer.value_text || ''));
    // In an abnormality report the description and its photos are the finding.
    if (item.photo_required && draft.template.kind === 'abnormality') block.append(photoPicker(draft, findingFor(draft, item), 'Add photo'));
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
    const finding = draft.findings[item.id];
    if (template.kind !== 'abnormality' && finding && (needsFinding(draft, item) || hasContent(finding))) {
      findings.push({
        ...base(finding),
        item_id: item.id,
        kind: template.kind,
        category: item.section,
        severity: template.kind === '5s' ? 'medium' : 'low',
        description: finding.description.trim() || (pastLimits(item, answer) ? `${item.prompt} — ${pastLimits(item, answer)}` : item.prompt),
      });
    }
  }
  if (template.kind === 'abnormality') {
    const byKey = Object.fromEntries(template.items.map((item) => [item.key, draft.answers[item.id] || {}]));
    const described = template.items.find((item) => item.key === 'description');
    findings.push({
      ...base(findingFor(draft, described)),
      item_id: null,
      kind: 'abnormality',
      category: byKey.category.value_text,
      severity: byKey.severity.value_text,
      description: (byKey.description.value_text || '').trim(),
    });
  }
  for (const finding of draft.extra_findings || []) {
    if (!finding.description.trim() && !finding.photo_uuids.length) continue;
    findings.push({
      ...base(finding),
      item_id: null,
      kind: template.kind,
      category: finding.category,
      severity: finding.severity,
      description: finding.description.trim() || 'Seen at the gemba (see photos)',
    });
  }
  return { audit, findings };
}

function problemsOf(draft) {
  const template = draft.template;
  const problems = [];
  if (template.kind === '5s') {
    const missing = template.items.filter((item) => item.response_type === 'score' && !Number.isInteger(draft.answers[item.id]?.score));
    if (missing.length) problems.push({ item: missing[0], text: `${missing.length} item(s) have no score yet.` });
  }
  if (template.kind === 'abnormality') {
    for (const item of template.items) {
      const answer = draft.answers[item.id] || {};
      if (item.response_type !== 'text' && item.response_type !== 'choice') continue;
      if (!answer.value_text || !String(answer.value_text).trim()) problems.push({ item, text: `Answer: ${item.prompt}` });
    }
  }
  // "Photo required" asks for a photo on the item's finding (an abnormality report is one).
  for (const item of template.items) {
    if (!item.photo_required) continue;
    const finding = draft.findings[item.id];
    const sent = template.kind === 'abnormality' || needsFinding(draft, item) || hasContent(finding);
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
  for (const uuid of findings.flatMap((f) => f.photo_uuids)) photoBytes += (await getPhoto(uuid))?.blob.size || 0;
  await addToOutbox({
    audit,
    findings,
    photoBytes,
    label: `${draft.template.name} · ${draft.area.code} ${draft.area.name}`,
  });
  await deleteDraft(draft.uuid);
  window.location.assign('/capture/outbox?submitted=1');
}

// --- the screen -----------------------------------------------------------------------------

export function renderChecklist(root, pack, draft) {
  const template = draft.template;
  const vocabulary = pack?.vocabulary || { pillars: [], wastes: [], abnormality_categories: [], severities: [] };
  const totals = h('p', { className: 'live-score', 'aria-live': 'polite' });
  const pillarScores = new Map();
  const rerenderScores = () => {
    if (template.kind !== '5s') return;
    const { pillars, total } = fiveSScores(draft);
    totals.textContent = total === null ? '5S score: not scored yet' : `5S score ${total.toFixed(1)} of 5`;
    for (const [section, element] of pillarScores) {
      element.textContent = pillars[section] === undefined ? '–' : pillars[section].toFixed(1);
    }
  };
  const sectionTerms = [...vocabulary.pillars, ...vocabulary.wastes];
  const sections = [...sectionsOf(template)].map(([section, items]) => {
    const score = h('span', { className: 'pillar-score' }, '–');
    pillarScores.set(section, score);
    return h(
      'section',
      { className: 'card checklist-section' },
      h('h2', {}, labelOf(sectionTerms, section) === section && section === 'report' ? 'Report' : labelOf(sectionTerms, section), template.kind === '5s' ? score : null),
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
        ? h('p', { className: 'muted' }, `Started at the gemba by scan at ${time(draft.scanned_at)} · saved on this phone as you go`)
        : h('p', { className: 'muted' }, 'Not started from a label scan · saved on this phone as you go'),
      template.kind === '5s' ? totals : null,
    ),
    sections,
    template.kind === 'abnormality' ? null : extraFindingsSection(draft, vocabulary),
    h(
      'section',
      { className: 'card' },
      h('label', { for: 'audit-note' }, 'Note for the whole walk (optional)'),
      h('textarea', { id: 'audit-note', className: 'input', rows: 2, oninput: (e) => { draft.note = e.target.value; saveDraft(draft); } }, draft.note || ''),
    ),
    errorBox,
    h('button', { type: 'button', className: 'button button--primary button--big', onclick: () => submit(draft, errorBox) }, 'Submit — send when online'),
  );
  rerenderScores();
}
