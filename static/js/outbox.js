// The outbox: submitted audits waiting to reach the server. An entry is frozen when it is
// created (its batch id and records never change), so every retry sends identical bytes.
import { database, newId } from './db.js';

export const STATES = {
  waiting: 'Waiting to sync',
  sending: 'Sending…',
  synced: 'Synced',
  attention: 'Needs attention',
  signin: 'Sign in to sync',
};

function frozenEntry({ uuid, label, audit = null, findings = [], ticketNotes = null, photoBytes = 0 }) {
  const records = ticketNotes ? { ticket_notes: ticketNotes } : { audit, findings };
  return {
    uuid,
    batch_id: newId(),
    label,
    audit,
    findings,
    ...(ticketNotes ? { ticket_notes: ticketNotes } : {}),
    photo_uuids: findings.flatMap((finding) => finding.photo_uuids),
    bytes: photoBytes + JSON.stringify(records).length,
    state: 'waiting',
    message: '',
    result: null,
    created_at: new Date().toISOString(),
  };
}

export async function addToOutbox({ audit, findings, label, photoBytes }) {
  const entry = frozenEntry({ uuid: audit.uuid, label, audit, findings, photoBytes });
  await (await database()).put('outbox', entry);
  return entry;
}

export async function allEntries() {
  const entries = await (await database()).getAll('outbox');
  return entries.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function unsynced() {
  return (await allEntries()).filter((entry) => entry.state !== 'synced');
}

export async function update(uuid, changes) {
  const db = await database();
  const tx = db.transaction('outbox', 'readwrite');
  const entry = await tx.store.get(uuid);
  if (entry) await tx.store.put({ ...entry, ...changes });
  await tx.done;
}

/** A comment or "checked at the gemba" note on a ticket, written offline at the area. */
export async function addNoteToOutbox(note, label) {
  const entry = frozenEntry({ uuid: note.uuid, label, ticketNotes: [note] });
  await (await database()).put('outbox', entry);
  return entry;
}
