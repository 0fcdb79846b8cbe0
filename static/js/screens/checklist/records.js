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

export function sectionsOf(template) {
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

export function needsFinding(draft, item) {
  const answer = draft.answers[item.id] || {};
  if (pastLimits(item, answer)) return true;
  return item.response_type === 'yes_no' && answer.value_bool === true;
}

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
export function hasContent(finding) {
  return Boolean(finding && (finding.description?.trim() || finding.photo_uuids?.length));
}

export function buildRecords(draft) {
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
    // the drawn signature (base64 PNG), only when the auditor signed
    ...(draft.signature_png ? { signature_png: draft.signature_png } : {}),
  };
  const findings = [];
  const base = (finding) => ({
    uuid: finding.uuid,
    audit_uuid: draft.uuid,
    area_id: draft.area.id,
    observed_at: now,
    photo_uuids: finding.photo_uuids,
    // marked-up photo → the photo as taken, kept beside it; only when something was marked up
    ...(Object.keys(finding.photo_originals || {}).length ? { photo_originals: finding.photo_originals } : {}),
  });
  const seenInPhotos = (text) => t('%(text)s (see photos)', { text });
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
export function problemsOf(draft) {
  const template = draft.template;
  const problems = [];
  if (template.kind === '5s') {
    const missing = template.items.filter(
      (item) => item.response_type === 'score' && !Number.isInteger(draft.answers[item.id]?.score),
    );
    if (missing.length)
      problems.push({ item: missing[0], text: t('%(count)s item(s) have no score yet.', { count: missing.length }) });
  }
  if (template.kind === 'abnormality') {
    for (const item of template.items) {
      const answer = draft.answers[item.id] || {};
      if (item.response_type !== 'text' && item.response_type !== 'choice') continue;
      if (!answer.value_text || !String(answer.value_text).trim()) {
        problems.push({ item, text: t('Answer: %(prompt)s', { prompt: item.prompt }) });
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
