// @ts-check
// Talking to the server, in one place: every call has a time limit (a Wi-Fi with no uplink never
// answers), writes carry the CSRF token, refusals are read one way, and "who is signed in" is
// asked here.
import { getMeta, setMeta } from '../offline/db.js';
import { t } from './i18n.js';

/** @typedef {import('./types').User} User */
/** @typedef {import('./types').ApiError} ApiError */

/** The server could not be reached (no connection, or no answer in time). */
export class Offline extends Error {}

/**
 * fetch() that gives up after `seconds` (rejects with Offline, like a dropped connection).
 * @param {string} url
 * @param {RequestInit} [options]
 * @param {number} [seconds]
 * @returns {Promise<Response>}
 */
export async function fetchWithin(url, options = {}, seconds = 30) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  try {
    return await fetch(url, { credentials: 'same-origin', ...options, signal: controller.signal });
  } catch (error) {
    throw new Offline(
      error instanceof Error && error.name === 'AbortError'
        ? t('The server did not answer in time.')
        : t('No connection.'),
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A write to the API (PUT, POST...) with the session's CSRF token, within `seconds`.
 * @param {string} url
 * @param {string} csrf
 * @param {{method?: string, headers?: Record<string, string>, body: BodyInit}} request
 * @param {number} [seconds]
 * @returns {Promise<Response>}
 */
export function sendWithin(url, csrf, { method = 'POST', headers = {}, body }, seconds = 30) {
  return fetchWithin(url, { method, headers: { ...headers, 'X-CSRFToken': csrf }, body }, seconds);
}

/**
 * POST a JSON body with the session's CSRF token.
 * @param {string} url
 * @param {string} csrf
 * @param {unknown} data
 * @param {number} [seconds]
 * @returns {Promise<Response>}
 */
export function postJson(url, csrf, data, seconds = 30) {
  return sendWithin(
    url,
    csrf,
    { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data) },
    seconds,
  );
}

/**
 * The API's refusal ({code, message, details?}), whatever the body holds.
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
export async function errorOf(response) {
  try {
    const body = await response.json();
    return body.error || { code: 'error', message: response.statusText };
  } catch {
    return { code: 'error', message: `The server answered ${response.status}.` };
  }
}

/**
 * The person this phone was last signed in as ({id, name}), or null after signing out.
 * @returns {Promise<User | null>}
 */
export async function deviceUser() {
  return getMeta('user');
}

/** @param {User | null | undefined} user */
export async function rememberUser(user) {
  const known = await getMeta('user');
  const next = user ? { id: user.id, name: user.name } : null;
  // Written only when it changes: every page and every sync asks, and a write cut short by
  // leaving the page is what WebKit's IndexedDB was seen to hang on.
  if ((known?.id ?? null) === (next?.id ?? null) && (known?.name ?? null) === (next?.name ?? null)) return;
  await setMeta('user', next);
}

/**
 * Apply the person's display mode to this page and keep it for the next first paint of the
 * capture shell (display.js reads it there, before the network answers).
 * @param {User} user
 */
function showDisplayMode(user) {
  if (!user.theme) return;
  const root = document.documentElement;
  root.dataset.theme = user.theme;
  if (user.large_text) root.dataset.text = 'large';
  else delete root.dataset.text;
  try {
    localStorage.setItem('gemba-display', JSON.stringify({ theme: user.theme, large: Boolean(user.large_text) }));
  } catch {
    // Storage refused: this page shows it; the next shell follows the phone until asked again.
  }
}

/**
 * Ask the server who is signed in. Returns {user, csrf} when signed in, {user: null} when the
 * session has ended (and forgets the person), or throws Offline when the server cannot be asked.
 * @param {number} [seconds]
 * @returns {Promise<{user: User, csrf: string} | {user: null, csrf: null}>}
 */
export async function whoIsSignedIn(seconds = 15) {
  const response = await fetchWithin('/api/v1/me', { cache: 'no-store' }, seconds);
  if (response.status === 401) {
    await rememberUser(null);
    return { user: null, csrf: null };
  }
  if (!response.ok) throw new Offline(`The server answered ${response.status}.`);
  const body = await response.json();
  await rememberUser(body.user);
  showDisplayMode(body.user);
  return { user: body.user, csrf: body.csrf_token };
}
