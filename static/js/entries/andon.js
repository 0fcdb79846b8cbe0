// @ts-check
// The server's andon page (a label's "Report a problem"): enhance its form, and send what this
// device kept earlier (screens/andon.js draws and handles the form, offline/andon-reports.js keeps
// and sends the reports).
import { sendKeptReports } from '../offline/andon-reports.js';
import { enhance } from '../screens/andon.js';
import { useMessagesOfPage } from '../shared/i18n.js';

const page = typeof document !== 'undefined' ? document.querySelector('form[data-andon][data-token]') : null;
if (page instanceof HTMLFormElement) {
  useMessagesOfPage();
  enhance(document, { token: page.dataset.token || '', code: page.dataset.code || '' });
}
if (typeof window !== 'undefined' && document.body?.classList.contains('page-andon')) {
  sendKeptReports().catch(() => {});
  window.addEventListener('online', () => sendKeptReports().catch(() => {}));
}
