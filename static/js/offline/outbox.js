// @ts-check
// The outbox: submitted records waiting to reach the server. An entry is frozen when it is
// created (its batch id and records never change), so every retry sends identical bytes.
// Each entry belongs to the person who made it; only they can send or discard it.

import { N_, t } from '../shared/i18n.js';
import { database, newId, STORES } from './db.js';
import { deletePhotos, getPhoto, photosOfFinding } from './photos.js';

/** @typedef {import('../shared/types').OutboxEntry} OutboxEntry */
/** @typedef {import('../shared/types').AuditRecord} AuditRecord */
/** @typedef {import('../shared/types').FindingRecord} FindingRecord */
/** @typedef {import('../shared/types').TicketNote} TicketNote */
/** @typedef {import('../shared/types').User} User */

/** @type {Record<import('../shared/types').OutboxState, string>} */
export const STATES = {
  waiting: N_('Waiting to sync'),
  sending: N_('Sending…'),
  synced: N_('Synced'),
  attention: N_('Needs attention'),
  signin: N_('Sign in to sync'),
};

/**
 * @param {object} records
 * @param {string} records.uuid
 * @param {string} records.label
 * @param {User} records.user
 * @param {AuditRecord | null} [records.audit]
 * @param {FindingRecord[]} [records.findings]
 * @param {TicketNote[] | null} [records.ticketNotes]
 * @param {number} [records.photoBytes]
 * @returns {OutboxEntry}
 */
function frozenEntry({ uuid, label, user, audit = null, findings = [], ticketNotes = null, photoBytes = 0 }) {
  const records = ticketNotes ? { ticket_notes: ticketNotes } : { audit, findings };
  return {
    uuid,
    batch_id: newId(),
    user_id: user.id,
    user_name: user.name,
    author_in_batch: true, // the batch names its author; the server refuses anyone else
    label,
    audit,
    findings,
    ...(ticketNotes ? { ticket_notes: ticketNotes } : {}),
    photo_uuids: findings.flatMap(photosOfFinding), // the originals of marked-up photos too
    bytes: photoBytes + JSON.stringify(records).length,
    state: 'waiting',
    message: '',
    result: null,
    attempts: 0,
    next_attempt_at: 0,
    created_at: new Date().toISOString(),
  };
}

/**
 * @param {{audit: AuditRecord, findings: FindingRecord[], label: string, photoBytes: number, user: User}} records
 * @returns {Promise<OutboxEntry>}
 */
export async function addToOutbox({ audit, findings, label, photoBytes, user }) {
  const entry = frozenEntry({ uuid: audit.uuid, label, user, audit, findings, photoBytes });
  await (await database()).put(STORES.outbox, entry);
  return entry;
}

/**
 * A comment or "checked at the gemba" note on a ticket, written offline at the area.
 * @param {TicketNote} note
 * @param {string} label
 * @param {User} user
 * @returns {Promise<OutboxEntry>}
 */
export async function addNoteToOutbox(note, label, user) {
  const entry = frozenEntry({ uuid: note.uuid, label, user, ticketNotes: [note] });
  await (await database()).put(STORES.outbox, entry);
  return entry;
}

/** @returns {Promise<OutboxEntry[]>} every entry on the phone, oldest first */
export async function allEntries() {
  const entries = await (await database()).getAll(STORES.outbox);
  return entries.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** @type {(entry: OutboxEntry, user: User | null | undefined) => boolean} */
export const belongsTo = (entry, user) => Boolean(user && entry.user_id === user.id);

/**
 * This person's entries (nobody's, when nobody is signed in on the phone).
 * @param {User | null} user
 * @returns {Promise<OutboxEntry[]>}
 */
export async function entriesOf(user) {
  return (await allEntries()).filter((entry) => belongsTo(entry, user));
}

/**
 * @param {User | null} user
 * @returns {Promise<OutboxEntry[]>}
 */
export async function unsynced(user) {
  return (await entriesOf(user)).filter((entry) => entry.state !== 'synced');
}

/**
 * Records of other people waiting on this phone, by person: [{name, count, user_id}].
 * @param {User | null} user
 * @returns {Promise<{name: string, count: number, user_id: number}[]>}
 */
export async function waitingForOthers(user) {
  /** @type {Map<number, {name: string, count: number, user_id: number}>} */
  const counts = new Map();
  for (const entry of await allEntries()) {
    if (entry.state === 'synced' || belongsTo(entry, user)) continue;
    const name = entry.user_name || t('someone else');
    const id = entry.user_id ?? 0;
    const group = counts.get(id) || { name, count: 0, user_id: id };
    group.count += 1;
    counts.set(id, group);
  }
  return [...counts.values()];
}

/**
 * @param {string} uuid
 * @param {Partial<OutboxEntry>} changes
 */
export async function update(uuid, changes) {
  const db = await database();
  const tx = db.transaction(STORES.outbox, 'readwrite');
  const entry = await tx.store.get(uuid);
  if (entry) await tx.store.put({ ...entry, ...changes });
  await tx.done;
}

/**
 * @param {string} uuid
 * @returns {Promise<OutboxEntry | undefined>}
 */
export async function getEntry(uuid) {
  return (await database()).get(STORES.outbox, uuid);
}

/** @param {ArrayBuffer} buffer */
function base64Of(buffer) {
  let text = '';
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * Everything an entry holds — its records and its photos — as one JSON file to keep.
 * @param {OutboxEntry} entry
 * @returns {Promise<Blob>}
 */
export async function entryFile(entry) {
  /** @type {{uuid: string, type: string, sha256: string, base64: string}[]} */
  const photos = [];
  for (const uuid of entry.photo_uuids) {
    const photo = await getPhoto(uuid);
    if (photo) {
      photos.push({ uuid, type: photo.type, sha256: photo.sha256, base64: base64Of(await photo.blob.arrayBuffer()) });
    }
  }
  const { audit, findings, ticket_notes: notes, label, user_name: author, created_at: created } = entry;
  const body = { gemba_walk_outbox_entry: 1, label, author, created, audit, findings, ticket_notes: notes, photos };
  return new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' });
}

/**
 * Throw an entry away, with its photos (its author only; the screen asks first).
 * @param {OutboxEntry} entry
 */
export async function discardEntry(entry) {
  await (await database()).delete(STORES.outbox, entry.uuid);
  await deletePhotos(entry.photo_uuids);
}
