// @ts-check
// The one owner of the IndexedDB schema. Every other module goes through database().
// The schema's types (stores, keys, values) are GembaDB in types.d.ts.
import { openDB } from 'idb';

const NAME = 'gemba-walk';
const VERSION = 2;

/** The object stores, named once. */
export const STORES = /** @type {const} */ ({
  meta: 'meta', // device id, pack etag and age, scans by area, the person signed in
  pack: 'pack', // 'current' → the field pack
  drafts: 'drafts', // audits in progress, each with its author
  outbox: 'outbox', // submitted records waiting for the server, each with its author
  photos: 'photos', // compressed photos as bytes (WebKit's private mode refuses Blobs)
});

/** @typedef {import('../shared/types').GembaDB} GembaDB */
/** @typedef {import('../shared/types').Meta} Meta */
/** @typedef {import('idb').IDBPDatabase<GembaDB>} Database */

/** @type {Promise<Database> | null} */
let opening = null;

/** Records made before records had an author belong to the person the phone last knew. */
/** @param {import('idb').IDBPTransaction<GembaDB, import('idb').StoreNames<GembaDB>[], 'versionchange'>} transaction */
async function stampAuthors(transaction) {
  const pack = await transaction.objectStore(STORES.pack).get('current');
  const user = pack?.user;
  if (!user) return;
  for (const name of [STORES.drafts, STORES.outbox]) {
    let cursor = await transaction.objectStore(name).openCursor();
    while (cursor) {
      if (cursor.value.user_id === undefined) {
        await cursor.update({ ...cursor.value, user_id: user.id, user_name: user.name });
      }
      cursor = await cursor.continue();
    }
  }
}

/** The open database; reopened automatically if the browser closed it (iOS does, under memory
 * pressure, and then every transaction fails until the page reconnects). */
/** @returns {Promise<Database>} */
export function database() {
  if (!opening) {
    /** @type {Promise<Database>} */
    const open = openDB(NAME, VERSION, {
      async upgrade(db, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) {
          db.createObjectStore(STORES.meta);
          db.createObjectStore(STORES.pack);
          db.createObjectStore(STORES.drafts, { keyPath: 'uuid' }).createIndex('updated_at', 'updated_at');
          db.createObjectStore(STORES.outbox, { keyPath: 'uuid' }).createIndex('state', 'state');
          db.createObjectStore(STORES.photos, { keyPath: 'uuid' });
        }
        if (oldVersion >= 1 && oldVersion < 2) await stampAuthors(transaction);
      },
      terminated() {
        opening = null;
      },
    });
    opening = open.catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

/**
 * @template {keyof Meta} K
 * @param {K} key
 * @param {Meta[K] | null} [fallback]
 * @returns {Promise<Meta[K] | null>}
 */
export async function getMeta(key, fallback = null) {
  const value = /** @type {Meta[K] | undefined} */ (await (await database()).get(STORES.meta, key));
  return value === undefined ? fallback : value;
}

/**
 * @template {keyof Meta} K
 * @param {K} key
 * @param {Meta[K]} value
 */
export async function setMeta(key, value) {
  await (await database()).put(STORES.meta, value, key);
}

/** @returns {string} a new UUID */
export function newId() {
  return crypto.randomUUID();
}

/** This device's id, created the first time any page loads (not at the first sync). */
/** @returns {Promise<string>} */
export async function deviceId() {
  let id = await getMeta('device_id');
  if (!id) {
    id = newId();
    await setMeta('device_id', id);
  }
  return id;
}
