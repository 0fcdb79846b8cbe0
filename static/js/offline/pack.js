// @ts-check
// The field pack: areas, checklists and open tickets for offline work, refreshed when online.
import { fetchWithin } from '../shared/api.js';
import { database, getMeta, STORES, setMeta } from './db.js';

/** @typedef {import('../shared/types').Pack} Pack */
/** @typedef {import('../shared/types').Area} Area */

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
  await noteServerClock(response);
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
 * How far this phone's clock runs ahead of the server's (its Date header), so the phone applies
 * the server's rule to capture times before it syncs (rules.js trustedTime).
 * @param {Response} response
 */
async function noteServerClock(response) {
  const said = Date.parse(response.headers.get('Date') || '');
  if (Number.isFinite(said)) await setMeta('server_clock_offset_ms', Date.now() - said);
}

/** The server's time now, as far as this phone knows it (its own clock where it never heard). */
export async function serverNow() {
  const offset = Number((await getMeta('server_clock_offset_ms')) || 0);
  return new Date(Date.now() - (Number.isFinite(offset) ? offset : 0));
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
