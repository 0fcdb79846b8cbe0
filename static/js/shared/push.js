// @ts-check
// Web Push on this device: the preferences page offers to turn it on; the subscription goes to
// the server, which encrypts each notification to it. iOS allows push only in the app added to
// the home screen (16.4+): elsewhere there is no PushManager and the page says so.
import { fetchWithin, postJson } from './api.js';
import { t, useMessagesOfPage } from './i18n.js';

/** @param {string} text */
function keyBytes(text) {
  const padded = (text + '='.repeat((4 - (text.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** @param {PushSubscription} subscription */
async function send(subscription) {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';
  const response = await postJson('/notifications/push/subscriptions', csrf, subscription.toJSON(), 15);
  if (!response.ok) throw new Error(`The server refused the subscription (${response.status}).`);
}

/**
 * @param {HTMLElement} state
 * @param {HTMLButtonElement} button
 */
export async function setUpPush(state, button) {
  useMessagesOfPage();
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    state.textContent = t(
      'This browser cannot receive push here. On an iPhone, add Gemba Walk to the home screen and open it from there.',
    );
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  if (existing && Notification.permission === 'granted') {
    await send(existing);
    state.textContent = t('Push is on for this device.');
    return;
  }
  if (Notification.permission === 'denied') {
    state.textContent = t('Notifications are blocked for this site in the browser settings.');
    return;
  }
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== 'granted') {
        state.textContent = t('Push stays off: the browser was not allowed to show notifications.');
        return;
      }
      const answer = await fetchWithin('/notifications/push/key', {}, 15);
      const { public_key: key } = await answer.json();
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(key),
      });
      await send(subscription);
      state.textContent = t('Push is on for this device.');
      button.hidden = true;
    } catch (error) {
      state.textContent = t('Push could not be turned on: %(reason)s', {
        reason: error instanceof Error ? error.message : String(error),
      });
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * The bell in the capture shell (its HTML is the same for everyone): ask the server's count.
 * @param {HTMLElement} bell
 */
export async function showBellCount(bell) {
  const count = bell.querySelector('.bell__count');
  if (!(count instanceof HTMLElement)) return;
  try {
    const response = await fetchWithin('/notifications/count', {}, 10);
    if (!response.ok || response.redirected) return;
    const { unread } = await response.json();
    count.textContent = String(unread);
    count.hidden = !unread;
    bell.setAttribute(
      'aria-label',
      unread ? t('Notifications: %(count)s unread', { count: unread }) : t('Notifications'),
    );
  } catch {
    // offline: the bell shows no number
  }
}
