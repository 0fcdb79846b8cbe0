// The shapes the phone keeps and sends, in one place, for `tsc --noEmit -p jsconfig.json` (the JS
// modules name them in JSDoc: `@param {import('./types').Draft} draft`). Nothing here is bundled.
import type { DBSchema } from 'idb';

declare global {
  /** The photo worker's address, written in by static/build.mjs (esbuild `define`). */
  const __PHOTO_WORKER_URL__: string | undefined;
}

/** Someone signed in, as the phone remembers them. */
export interface User {
  id: number;
  name: string;
  role?: string;
  /** Account → Display (from /api/v1/me): 'auto' follows the phone. */
  theme?: 'auto' | 'light' | 'dark';
  large_text?: boolean;
}

export interface Term {
  key: string;
  label: string;
}

export interface Vocabulary {
  pillars: Term[];
  wastes: Term[];
  abnormality_categories: Term[];
  severities: Term[];
  ticket_statuses: Term[];
}

export interface OpenTicket {
  number: string;
  title: string;
  status: string;
  due: string | null;
  occurrences: number;
}

export interface Area {
  id: number;
  site_id: number;
  token: string;
  name: string;
  code: string;
  description: string | null;
  owner: string | null;
  last_five_s: { score: number; at: string } | null;
  open_tickets: OpenTicket[];
  /** The label offers "Report a problem" to people who are not signed in. */
  andon: boolean;
  /** Keys of the checklists that apply here (a pack from before assignments has none: all). */
  checklists?: string[];
}

export type ResponseType = 'score' | 'pass_fail' | 'yes_no' | 'number' | 'choice' | 'text';

export interface Item {
  id: number;
  key: string | null;
  section: string;
  prompt: string;
  help: string | null;
  response_type: ResponseType;
  levels: string[] | null;
  min: number | null;
  max: number | null;
  photo_required: boolean;
  ticket_threshold: number | null;
}

export type TemplateKind = '5s' | 'waste' | 'abnormality' | 'custom';

export interface Template {
  key: string;
  name: string;
  kind: TemplateKind;
  version_id: number;
  version: number;
  items: Item[];
}

/** The field pack (GET /api/v1/pack): what the phone needs to work offline. */
export interface Pack {
  user: User;
  vocabulary: Vocabulary;
  /** The capture shell's words in the person's language (msgid → text; empty for English). */
  language: string;
  messages: Record<string, string>;
  sites: { id: number; name: string; timezone?: string }[];
  /** The plant's IANA zone: every date and time on the phone is shown in it. */
  timezone?: string;
  walks?: PackWalk[];
  areas: Area[];
  retired_tokens?: { token: string; area_id: number }[];
  /** People whose account is turned off: their unsent records can never be sent. */
  inactive_people?: number[];
  templates: Template[];
}

/** A planned walk of the signed-in person (today's, tomorrow's or overdue). */
export interface PackWalk {
  id: number;
  area_id: number;
  template_key: string;
  template_name?: string;
  local_date: string;
  shift?: string;
  window_start: string;
  window_end: string;
  late_until: string;
  state: 'due' | 'done' | 'findings' | 'late' | 'missed';
  done_at?: string | null;
  scanned?: boolean | null;
  findings?: number;
}

export interface Answer {
  uuid?: string;
  score?: number | null;
  value_bool?: boolean | null;
  value_number?: number | null;
  value_text?: string | null;
}

/** A finding box while the draft is open (under an item, or on its own). */
export interface DraftFinding {
  uuid: string;
  description: string;
  photo_uuids: string[];
  /** a marked-up photo (one of photo_uuids) → the photo as taken, kept beside it */
  photo_originals?: Record<string, string>;
  severity?: string;
  category?: string;
  same_as_ticket?: string | null;
  added?: boolean;
}

/** An audit in progress, kept on the phone and journaled to localStorage. */
export interface Draft {
  uuid: string;
  user_id: number;
  user_name: string;
  area: { id: number; token: string; code: string; name: string };
  template: Template;
  started_at: string;
  scanned_at: string | null;
  answers: Record<string, Answer>;
  findings: Record<string, DraftFinding>;
  extra_findings: DraftFinding[];
  note: string;
  /** the auditor's drawn signature, a base64 PNG (optional) */
  signature_png?: string;
  revision: number;
  updated_at: string;
}

/** An audit as sent in a batch. */
export interface AuditRecord {
  uuid: string;
  area_id: number;
  template_version_id: number;
  started_at: string;
  submitted_at: string;
  scanned_at: string | null;
  note: string;
  responses: (Answer & { uuid: string; item_id: number; note: string })[];
  /** the auditor's drawn signature, a base64 PNG */
  signature_png?: string;
}

/** A finding as sent in a batch. */
export interface FindingRecord {
  uuid: string;
  audit_uuid: string;
  area_id: number;
  observed_at: string;
  photo_uuids: string[];
  /** a marked-up photo (one of photo_uuids) → the photo as taken */
  photo_originals?: Record<string, string>;
  item_id: number | null;
  kind: string;
  category: string | null | undefined;
  severity: string | null | undefined;
  description: string;
  same_as_ticket?: string | null;
}

/** A comment or "checked at the gemba" note on a ticket. */
export interface TicketNote {
  uuid: string;
  ticket_number: string;
  kind: 'gemba_check' | 'comment';
  body: string;
  occurred_at: string;
}

export type OutboxState = 'waiting' | 'sending' | 'synced' | 'attention' | 'signin';

/** One batch waiting for the server, frozen once queued. */
export interface OutboxEntry {
  uuid: string;
  batch_id: string;
  user_id?: number;
  user_name?: string;
  author_in_batch?: boolean;
  label: string;
  audit: AuditRecord | null;
  findings: FindingRecord[];
  ticket_notes?: TicketNote[];
  photo_uuids: string[];
  bytes: number;
  state: OutboxState;
  message: string;
  result: SyncResult | null;
  attempts: number;
  next_attempt_at: number;
  created_at: string;
  synced_at?: string;
}

/** The server's answer to a batch (what the outbox screen shows). */
export interface SyncResult {
  findings: { uuid: string; status: string; ticket?: { number: string; [key: string]: unknown } | null }[];
  [key: string]: unknown;
}

/** A photo kept on the phone, as bytes (`blob`/`thumb` are rebuilt when read). */
export interface StoredPhoto {
  uuid: string;
  bytes?: ArrayBuffer;
  type: string;
  thumb_bytes?: ArrayBuffer;
  thumb_type?: string;
  size: number;
  sha256: string;
  width: number;
  height: number;
  state: string;
  saved_at: number;
  user_id?: number;
  blob?: Blob;
  thumb?: Blob;
}

/** What the `meta` store holds, by key. */
export interface Meta {
  device_id: string;
  pack_etag: string | null;
  pack_checked_at: string;
  /** this phone's clock minus the server's (its Date header), at the last field-pack check */
  server_clock_offset_ms: number;
  scans: Record<string, string>;
  user: User | null;
  /** A probe write that measures the room left (storage.js); deleted at once. */
  room_probe: Blob | ArrayBuffer;
  /** Andon reports kept on the device until they are sent (andon.js). */
  andon_queue: AndonReportKept[];
}

/** An andon report from a label, kept on the device (no account) until the server has it. */
export interface AndonReportKept {
  uuid: string;
  token: string;
  area_code: string;
  category: string;
  description: string;
  reporter_name: string;
  /** The photo's bytes (WebKit's private mode refuses Blobs in IndexedDB) and its type. */
  photo: ArrayBuffer | null;
  photo_type: string;
  photo_name: string;
  created_at: string;
  /** The server's reason when it refused the report (it is kept, never dropped silently). */
  refused?: string;
}

/** The IndexedDB schema that db.js owns: store names and what each holds. */
export interface GembaDB extends DBSchema {
  meta: { key: keyof Meta; value: Meta[keyof Meta] };
  pack: { key: string; value: Pack };
  drafts: { key: string; value: Draft; indexes: { updated_at: string } };
  outbox: { key: string; value: OutboxEntry; indexes: { state: string } };
  photos: { key: string; value: StoredPhoto };
}

/** An API refusal: {error: {code, message, details?}}. */
export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}
