// @ts-check
// The draft as records: scores, what still needs an answer, the audit and findings that are
// sent, and submitting them to the outbox. No screen-building here except the error box.
import { newId } from '../../offline/db.js';
import { deleteDraft } from '../../offline/drafts.js';
import { addToOutbox } from '../../offline/outbox.js';
import { deletePhotos, getPhoto, photosOfFinding } from '../../offline/photos.js';
import { t } from '../../shared/i18n.js';
import { defaultSeverity, pastLimits, RULES, fiveSScores as scoresOf } from '../../shared/rules.js';
import { h } from '../../shared/ui.js';

/** @typedef {import('../../shared/types').Draft} Draft */
/** @typedef {import('../../shared/types').DraftFinding} DraftFinding */
/** @typedef {import('../../shared/types').Template} Template */
/** @typedef {import('../../shared/types').Item} Item */
/** @typedef {import('../../shared/types').Answer} Answer */
/** @typedef {import('../../shared/types').AuditRecord} AuditRecord */
/** @typedef {import('../../shared/types').FindingRecord} FindingRecord */
/** @typedef {import('../../shared/types').Severity} Severity */
/** @typedef {NonNullable<AuditRecord['responses']>[number]} ResponseRecord */

/**
 * The checklist's items by section, in the order they come.
 * @param {Template} template
 * @returns {Map<string, Item[]>}
 */
export function sectionsOf(template) {
  /** @type {Map<string, Item[]>} */
  const sections = new Map();
  for (const item of template.items) {
    if (!sections.has(item.section)) sections.set(item.section, []);
    sections.get(item.section)?.push(item);
  }
  return sections;
}

/** Pillar and total scores of a 5S draft, rounded as the server rounds them. */
/** @param {Draft} draft */
export function fiveSScores(draft) {
  const scored = draft.template.items
    .filter((item) => item.response_type === 'score')
    .map((item) => /** @type {[string, number | null | undefined]} */ ([item.section, scoreOf(draft, item)]));
  return scoresOf(scored, [...sectionsOf(draft.template).keys()]);
}

/**
 * @param {Draft} draft
 * @param {Item} item
 * @returns {number | null} the item's whole-number score, else null
 */
function scoreOf(draft, item) {
  const score = draft.answers[item.id]?.score;
  return typeof score === 'number' && Number.isInteger(score) ? score : null;
}

/**
 * @param {Draft} draft
 * @param {Item} item
 */
export function needsFinding(draft, item) {
  /** @type {Answer} */
  const answer = draft.answers[item.id] || {};
  if (pastLimits(item, answer)) return true;
  return item.response_type === 'yes_no' && answer.value_bool === true;
}

/**
 * The item's finding box, made when it has none.
 * @param {Draft} draft
 * @param {Item} item
 * @returns {DraftFinding}
 */
export function findingFor(draft, item) {
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

/** A finding is something seen: words or a photo. An empty box is not one. */
/** @param {DraftFinding | undefined} finding */
export function hasContent(finding) {
  return Boolean(finding && (finding.description?.trim() || finding.photo_uuids?.length));
}

/**
 * The audit and findings a draft sends.
 * @param {Draft} draft
 * @returns {{audit: AuditRecord & {responses: ResponseRecord[]}, findings: FindingRecord[]}}
 */
export function buildRecords(draft) {
  const template = draft.template;
  const now = new Date().toISOString();
  /** @type {AuditRecord & {responses: ResponseRecord[]}} */
  const audit = {
    uuid: draft.uuid,
    area_id: draft.area.id,
    template_version_id: template.version_id,
    started_at: draft.started_at,
    submitted_at: now,
    scanned_at: draft.scanned_at,
    note: draft.note || '',
    responses: [],
    // the drawn signature (base64 PNG), only when the auditor signed
    ...(draft.signature_png ? { signature_png: draft.signature_png } : {}),
  };
  /** @type {FindingRecord[]} */
  const findings = [];
  const base = (/** @type {DraftFinding} */ finding) => ({
    uuid: finding.uuid,
    audit_uuid: draft.uuid,
    area_id: draft.area.id,
    observed_at: now,
    photo_uuids: finding.photo_uuids,
    // marked-up photo → the photo as taken, kept beside it; only when something was marked up
    ...(Object.keys(finding.photo_originals || {}).length ? { photo_originals: finding.photo_originals } : {}),
  });
  const seenInPhotos = (/** @type {string} */ text) => t('%(text)s (see photos)', { text });
  for (const item of template.items) {
    /** @type {Answer} */
    const answer = draft.answers[item.id] || {};
    /** @type {ResponseRecord} */
    const response = { uuid: answer.uuid || newId(), item_id: item.id, note: '' };
    let answered = false;
    for (const field of /** @type {const} */ (['score', 'value_bool', 'value_number', 'value_text'])) {
      const value = answer[field];
      if (value !== undefined && value !== null && value !== '') {
        Object.assign(response, { [field]: value });
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
    /** @type {Record<string, Answer>} */
    const byKey = Object.fromEntries(template.items.map((item) => [item.key, draft.answers[item.id] || {}]));
    const described = template.items.find((item) => item.key === 'description');
    const report = described ? findingFor(draft, described) : { uuid: newId(), description: '', photo_uuids: [] };
    findings.push({
      ...base(report),
      item_id: null,
      kind: 'abnormality',
      category: byKey.category?.value_text || '',
      // the person chose it from the pack's severities (the server checks it)
      severity: /** @type {Severity} */ (byKey.severity?.value_text),
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
      category: finding.category || '',
      severity: finding.severity || defaultSeverity(template.kind),
      description: finding.description.trim() || RULES.empty_finding_photo_text,
      same_as_ticket: finding.same_as_ticket || null,
    });
  }
  return { audit, findings };
}

/** What still needs an answer: [{item, text}] — the first is where "jump" goes. */
/** @param {Draft} draft */
export function problemsOf(draft) {
  const template = draft.template;
  /** @type {{item: Item, text: string}[]} */
  const problems = [];
  if (template.kind === '5s') {
    const missing = template.items.filter((item) => item.response_type === 'score' && scoreOf(draft, item) === null);
    if (missing.length)
      problems.push({ item: missing[0], text: t('%(count)s item(s) have no score yet.', { count: missing.length }) });
  }
  if (template.kind === 'abnormality') {
    for (const item of template.items) {
      /** @type {Answer} */
      const answer = draft.answers[item.id] || {};
      if (item.response_type !== 'text' && item.response_type !== 'choice') continue;
      if (!answer.value_text || !String(answer.value_text).trim()) {
        problems.push({ item, text: t('Answer: %(prompt)s', { prompt: item.prompt }) });
      }
    }
  }
  for (const item of template.items) {
    // An observed waste is a finding: it needs what was seen, in words or a photo.
    /** @type {Answer} */
    const answer = draft.answers[item.id] || {};
    if (
      template.kind !== 'abnormality' &&
      item.response_type === 'yes_no' &&
      answer.value_bool === true &&
      !hasContent(draft.findings[item.id])
    ) {
      problems.push({
        item,
        text: t('Describe what you saw, or add a photo, for: %(prompt)s', { prompt: item.prompt }),
      });
    }
    // "Photo required" asks for a photo on the item's finding (an abnormality report is one).
    if (!item.photo_required) continue;
    const finding = draft.findings[item.id];
    const sent = template.kind === 'abnormality' || hasContent(finding);
    if (sent && !finding?.photo_uuids.length)
      problems.push({ item, text: t('Add a photo for: %(prompt)s', { prompt: item.prompt }) });
  }
  return problems;
}

/**
 * Send the draft to the outbox when nothing is missing; else say what is, in `errorBox`.
 * @param {Draft} draft
 * @param {HTMLElement} errorBox
 */
export async function submit(draft, errorBox) {
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
  for (const uuid of findings.flatMap(photosOfFinding)) photoBytes += (await getPhoto(uuid))?.size || 0;
  // Photos of boxes that were dropped go with the draft.
  const sent = new Set(findings.flatMap(photosOfFinding));
  const dropped = [...Object.values(draft.findings), ...(draft.extra_findings || [])]
    .flatMap(photosOfFinding)
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
