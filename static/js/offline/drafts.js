// @ts-check
// Drafts: audits in progress, saved on every change so nothing is lost to a reload or a crash.
// Each belongs to the person who started it: on a shared phone nobody else sees it.
//
// Every save is written first to localStorage, synchronously, before the screen moves on: a tap
// that showed on screen survives a reload or a killed tab even if IndexedDB's asynchronous
// write never finished. The journal entry is dropped once IndexedDB holds that revision.
import { database, getMeta, newId, STORES } from './db.js';
import { deletePhotos, photosOfFinding } from './photos.js';

/** @typedef {import('../shared/types').Draft} Draft */
/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Area} Area */
/** @typedef {import('../shared/types').User} User */

const SCAN_IS_FRESH_MS = 60 * 60 * 1000; // a scan proves presence for an audit started within the hour
const JOURNAL = 'gemba-draft:';

/**
 * @param {string} uuid
 * @returns {Draft | null}
 */
function journalRead(uuid) {
  try {
    const text = globalThis.localStorage?.getItem(JOURNAL + uuid);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** @param {Draft} draft */
function journalWrite(draft) {
  try {
    globalThis.localStorage?.setItem(JOURNAL + draft.uuid, JSON.stringify(draft));
  } catch {
    // storage full or unavailable: IndexedDB still gets the draft
  }
}

/**
 * @param {string} uuid
 * @param {number} [revision] drop only a journal entry no newer than this
 */
function journalDrop(uuid, revision) {
  try {
    const kept = journalRead(uuid);
    if (!kept || revision === undefined || kept.revision <= revision) {
      globalThis.localStorage?.removeItem(JOURNAL + uuid);
    }
  } catch {
    // nothing to drop
  }
}

/** @returns {string[]} */
function journalUuids() {
  /** @type {string[]} */
  const uuids = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key?.startsWith(JOURNAL)) uuids.push(key.slice(JOURNAL.length));
    }
  } catch {
    // no localStorage
  }
  return uuids;
}

/**
 * The newer of the two copies of a draft.
 * @param {Draft | undefined} stored
 * @param {Draft | null} journal
 * @returns {Draft | undefined}
 */
function newest(stored, journal) {
  if (!journal) return stored;
  if (!stored || (journal.revision || 0) > (stored.revision || 0)) return journal;
  return stored;
}

/**
 * @param {Pack} pack
 * @param {Area} area
 * @param {string} templateKey
 * @param {User} user
 * @param {{byCode?: boolean}} [how] opened by its typed code rather than a scan
 * @returns {Promise<Draft>}
 */
export async function startDraft(pack, area, templateKey, user, { byCode = false } = {}) {
  const template = pack.templates.find((t) => t.key === templateKey);
  if (!template) throw new Error(`No checklist ${templateKey} in the field data.`);
  const scans = (await getMeta('scans')) || {};
  // Only this person's own scan proves presence; an area opened by its code proves none.
  const scannedAt = byCode ? null : scans[`${user.id}:${area.id}`];
  const now = new Date();
  /** @type {Draft} */
  const draft = {
    uuid: newId(),
    user_id: user.id,
    user_name: user.name,
    area: { id: area.id, token: area.token, code: area.code, name: area.name },
    // The draft keeps the checklist version it was started with, even if a newer one arrives.
    template,
    started_at: now.toISOString(),
    scanned_at: scannedAt && now.getTime() - new Date(scannedAt).getTime() < SCAN_IS_FRESH_MS ? scannedAt : null,
    answers: {},
    findings: {},
    extra_findings: [],
    note: '',
    revision: 0,
    updated_at: now.toISOString(),
  };
  await saveDraft(draft);
  return draft;
}

/**
 * Save at once: the journal synchronously, then IndexedDB.
 * @param {Draft} draft
 */
export async function saveDraft(draft) {
  draft.updated_at = new Date().toISOString();
  draft.revision = (draft.revision || 0) + 1;
  const revision = draft.revision;
  journalWrite(draft);
  await (await database()).put(STORES.drafts, draft);
  journalDrop(draft.uuid, revision);
}

/**
 * @param {string} uuid
 * @returns {Promise<Draft | undefined>}
 */
export async function getDraft(uuid) {
  const stored = await (await database()).get(STORES.drafts, uuid);
  const draft = newest(stored, journalRead(uuid));
  if (draft && draft !== stored) {
    try {
      await (await database()).put(STORES.drafts, draft); // the journal was ahead: catch up
      journalDrop(uuid, draft.revision);
    } catch {
      // storage full: the journal keeps the newer copy, and the draft still opens from it
    }
  }
  return draft;
}

/**
 * Every draft of this person (or of everyone, for counting), newest first.
 * @param {User | null} [user] undefined: everyone's; null (nobody signed in): none
 * @returns {Promise<Draft[]>}
 */
export async function allDrafts(user = undefined) {
  const stored = await (await database()).getAll(STORES.drafts);
  /** @type {Map<string, Draft | undefined>} */
  const byUuid = new Map(stored.map((draft) => [draft.uuid, draft]));
  for (const uuid of journalUuids()) byUuid.set(uuid, newest(byUuid.get(uuid), journalRead(uuid)));
  const drafts = /** @type {Draft[]} */ ([...byUuid.values()].filter(Boolean));
  return drafts
    .filter((draft) => user === undefined || (user && draft.user_id === user.id))
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}

/**
 * This person's draft of this checklist in this area, to resume instead of starting another.
 * @param {User | null} user
 * @param {number} areaId
 * @param {string} templateKey
 * @returns {Promise<Draft | null>}
 */
export async function draftFor(user, areaId, templateKey) {
  if (!user) return null;
  return (await allDrafts(user)).find((d) => d.area.id === areaId && d.template.key === templateKey) || null;
}

/**
 * @param {Draft} draft
 * @returns {string[]} the uuids of every photo on the draft's findings
 */
export function photosOf(draft) {
  const findings = [...Object.values(draft.findings || {}), ...(draft.extra_findings || [])];
  return findings.flatMap(photosOfFinding);
}

/**
 * The draft is gone (submitted): its photos stay, the outbox entry holds them now.
 * @param {string} uuid
 */
export async function deleteDraft(uuid) {
  journalDrop(uuid);
  await (await database()).delete(STORES.drafts, uuid);
}

/**
 * Throw a draft away, with its photos.
 * @param {Draft} draft
 */
export async function discardDraft(draft) {
  await deleteDraft(draft.uuid);
  await deletePhotos(photosOf(draft));
}
