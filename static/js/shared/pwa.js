// @ts-check
// Registers the service worker and offers updates; never reloads by surprise.
import { Workbox } from 'workbox-window';
import { t } from './i18n.js';

/** @param {Workbox} workbox */
function showUpdatePrompt(workbox) {
  if (document.getElementById('update-banner')) return;
  const banner = document.createElement('div');
  banner.id = 'update-banner';
  banner.className = 'update-banner';
  banner.setAttribute('role', 'status');
  const text = document.createElement('span');
  text.textContent = t('An update is available.');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--primary';
  button.textContent = t('Reload');
  button.addEventListener('click', () => {
    workbox.addEventListener('controlling', () => window.location.reload());
    workbox.messageSkipWaiting();
  });
  banner.append(text, button);
  document.body.append(banner);
}

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return null;
  const workbox = new Workbox('/sw.js', { scope: '/' });
  workbox.addEventListener('waiting', () => showUpdatePrompt(workbox));
  workbox.register().catch(() => {});
  return workbox;
}
