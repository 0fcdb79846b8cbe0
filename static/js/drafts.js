// Drafts: audits in progress, saved on every change so nothing is lost to a reload or a crash.
import { database, getMeta, newId } from './db.js';

const SCAN_IS_FRESH_MS = 60 * 60 * 1000; // a scan proves presence for an audit started within the hour

export async function startDraft(pack, area, templateKey) {
  const template = pack.templates.find((t) => t.key === templateKey);
  const scans = (await getMeta('scans')) || {};
  const scannedAt = scans[area.id];
  const now = new Date();
  const draft = {
    uuid: newId(),
    area: { id: area.id, token: area.token, code: area.code, name: area.name },
    // The draft keeps the checklist version it was started with, even if a newer one arrives.
    template,
    started_at: now.toISOString(),
    scanned_at: scannedAt && now - new Date(scannedAt) < SCAN_IS_FRESH_MS ? scannedAt : null,
    answers: {},
    findings: {},
    extra_findings: [],
    note: '',
    updated_at: now.toISOString(),
  };
  await saveDraft(draft);
  return draft;
}

export async function saveDraft(draft) {
  draft.updated_at = new Date().toISOString();
  await (await database()).put('drafts', draft);
}

export async function getDraft(uuid) {
  return (await database()).get('drafts', uuid);
}

export async function allDrafts() {
  const drafts = await (await database()).getAll('drafts');
  return drafts.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}

export async function deleteDraft(uuid) {
  await (await database()).delete('drafts', uuid);
}
