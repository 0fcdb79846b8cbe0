// Talking to the server: every call has a time limit (a Wi-Fi with no uplink never answers),
// and "who is signed in" is asked in one place.
import { getMeta, setMeta } from './db.js';

export class Offline extends Error {}

/** fetch() that gives up after `seconds` (rejects with Offline, like a dropped connection). */
export async function fetchWithin(url, options = {}, seconds = 30) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  try {
    return await fetch(url, { credentials: 'same-origin', ...options, signal: controller.signal });
  } catch (error) {
    throw new Offline(error.name === 'AbortError' ? 'The server did not answer in time.' : 'No connection.');
  } finally {
    clearTimeout(timer);
  }
}

/** The person this phone was last signed in as ({id, name}), or null after signing out. */
export async function deviceUser() {
  return getMeta('user');
}

export async function rememberUser(user) {
  await setMeta('user', user ? { id: user.id, name: user.name } : null);
}

/**
 * Ask the server who is signed in. Returns {user, csrf} when signed in, {user: null} when the
 * session has ended (and forgets the person), or throws Offline when the server cannot be asked.
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
  return { user: body.user, csrf: body.csrf_token };
}
