// @ts-check
// The field pack: areas, checklists and open tickets for offline work, refreshed when online.
import { fetchWithin } from './api.js';
import { database, getMeta, STORES, setMeta } from './db.js';

/** @typedef {import('./types').Pack} Pack */
/** @typedef {import('./types').Area} Area */

/** @returns {Promise<Pack | undefined>} the field pack on this phone */
export async function loadPack() {
  return (await database()).get(STORES.pack, 'current');
}

/**
 * Fetch the pack if it changed (ETag).
 * @returns {Promise<'updated' | 'unchanged' | 'signed-out' | 'offline'>}
 */
export async function refreshPack() {
  const etag = await getMeta('pack_etag');
  let response;
  try {
    response = await fetchWithin('/api/v1/pack', { headers: etag ? { 'If-None-Match': etag } : {}, cache: 'no-store' });
  } catch {
    return 'offline';
  }
  if (response.status === 401) return 'signed-out';
  if (response.status === 304) {
    await setMeta('pack_checked_at', new Date().toISOString());
    return 'unchanged';
  }
  if (!response.ok) return 'offline';
  /** @type {Pack} */
  const pack = await response.json();
  const db = await database();
  await db.put(STORES.pack, pack, 'current');
  await setMeta('pack_etag', response.headers.get('ETag'));
  await setMeta('pack_checked_at', new Date().toISOString());
  return 'updated';
}

/**
 * @param {Pack | undefined} pack
 * @param {string} token
 * @returns {Area | null}
 */
export function findArea(pack, token) {
  return pack?.areas.find((area) => area.token === token) || null;
}

/**
 * The area a retired label was replaced for (all of it the pack knows, at least its id).
 * @param {Pack | undefined} pack
 * @param {string} token
 * @returns {Partial<Area> & {id: number} | null}
 */
export function retiredArea(pack, token) {
  const retired = pack?.retired_tokens?.find((entry) => entry.token === token);
  return retired && pack ? pack.areas.find((area) => area.id === retired.area_id) || { id: retired.area_id } : null;
}
