// The one owner of the IndexedDB schema. Every other module goes through database().
import { openDB } from 'idb';

const NAME = 'gemba-walk';
const VERSION = 1;

let opening = null;

/** The open database; reopened automatically if the browser closed it (iOS does, under memory
 * pressure, and then every transaction fails until the page reconnects). */
export function database() {
  if (!opening) {
    opening = openDB(NAME, VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('meta'); // device id, pack etag and age, scans by area
          db.createObjectStore('pack'); // 'current' → the field pack
          db.createObjectStore('drafts', { keyPath: 'uuid' }).createIndex('updated_at', 'updated_at');
          db.createObjectStore('outbox', { keyPath: 'uuid' }).createIndex('state', 'state');
          db.createObjectStore('photos', { keyPath: 'uuid' });
        }
      },
      terminated() {
        opening = null;
      },
    }).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

export async function getMeta(key, fallback = null) {
  const value = await (await database()).get('meta', key);
  return value === undefined ? fallback : value;
}

export async function setMeta(key, value) {
  await (await database()).put('meta', value, key);
}

export function newId() {
  return crypto.randomUUID();
}

/** This device's id, created the first time any page loads (not at the first sync). */
export async function deviceId() {
  let id = await getMeta('device_id');
  if (!id) {
    id = newId();
    await setMeta('device_id', id);
  }
  return id;
}
