// The shapes the phone keeps and sends, for `tsc --noEmit -p jsconfig.json` (the JS modules name
// them in JSDoc: `@param {import('../shared/types').Draft} draft`). Nothing here is bundled.
// What crosses the wire comes from api-types.d.ts, generated from /api/v1/openapi.json
// (`npm run api-types`); only the shapes the API does not have are written here.
import type { DBSchema } from 'idb';
import type { components } from './api-types';

type Schemas = components['schemas'];

/** The part of the Barcode Detection API the scanner uses. */
export interface BarcodeDetector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

declare global {
  /** The photo worker's address, written in by static/build.mjs (esbuild `define`). */
  const __PHOTO_WORKER_URL__: string | undefined;
  interface Window {
    /** The browser's QR reader where it has one (entries/scanner.js falls back to jsQR). */
    BarcodeDetector?: {
      new (options: { formats: string[] }): BarcodeDetector;
      getSupportedFormats(): Promise<string[]>;
    };
    /** The scanner's decoding, for tests and for decoding a photo of a label (entries/scanner.js). */
    gembaScanner?: {
      decodeImageData: (imageData: ImageData) => Promise<string | null>;
      classifyQrText: (text: string) => unknown;
    };
    /** The capture shell's photo compression, for the benchmarks in bench/ (entries/shell.js). */
    gembaBench?: {
      compressPhoto: (file: Blob) => Promise<unknown>;
      compressOnMainThread: (file: Blob) => Promise<unknown>;
    };
  }
}

/** Someone signed in, as the phone remembers them (from /api/v1/me or the field pack). */
export type User = Pick<Schemas['MeUser'], 'id' | 'name'> &
  Partial<Pick<Schemas['MeUser'], 'role' | 'theme' | 'large_text' | 'email'>>;

export interface Term {
  key: string;
  label: string;
}

/** The pack's words (the API gives them as an open object; these are the lists the phone reads). */
export interface Vocabulary {
  pillars: Term[];
  wastes: Term[];
  abnormality_categories: Term[];
  severities: Term[];
  ticket_statuses: Term[];
  /** What the scores 0–5 mean. */
  score_levels?: string[];
}

export type OpenTicket = Schemas['PackTicket'];
export type Area = Schemas['PackArea'];
export type Item = Schemas['PackItem'];
export type ResponseType = Item['response_type'];
export type Template = Schemas['PackTemplate'];
export type TemplateKind = Template['kind'];
/** A finding's severity, as the server takes it. */
export type Severity = Schemas['SyncFinding']['severity'];
/** A planned walk of the signed-in person (today's, tomorrow's or overdue). */
export type PackWalk = Schemas['PackWalk'];

/** The field pack (GET /api/v1/pack): what the phone needs to work offline. A pack kept from an
 * older server may lack the newer lists, so the phone reads them with a fallback. On a device
 * nobody is signed in on, the shell shows only its public part: no user, tickets or walks. */
export type Pack = Omit<Schemas['Pack'], 'vocabulary' | 'user' | 'language'> & {
  vocabulary: Vocabulary;
  user: Schemas['PackUser'] | null;
  language?: string;
};

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
  severity?: Severity;
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
export type AuditRecord = Schemas['SyncAudit'];

/** A finding as sent in a batch. */
export type FindingRecord = Schemas['SyncFinding'];

/** A comment or "checked at the gemba" note on a ticket. */
export type TicketNote = Schemas['SyncTicketNote'];

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
export type SyncResult = Schemas['SyncResult'];

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
export type ApiError = Schemas['ErrorBody'];
