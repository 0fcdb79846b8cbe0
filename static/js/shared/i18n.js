// @ts-check
// The person's language on the phone: t('English text') returns it translated. The words come
// from the server, never from the network at the moment of use: the field pack carries the
// capture shell's catalog (so a phone offline still speaks the person's language), and every
// server page carries it in a JSON block (#js-messages). English is the text itself.

/** @type {Record<string, string>} */
let messages = {};
let language = 'en';

/**
 * Use a catalog ({language, messages}) from the field pack or a page.
 * @param {{language?: string, messages?: Record<string, string>} | null | undefined} source
 */
export function useMessages(source) {
  messages = source?.messages || {};
  language = source?.language || 'en';
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/**
 * The words of a precached page (the capture shell, the offline page), whose HTML is English
 * for everyone on the device: an element marked `data-t` has its text translated, one marked
 * `data-t-label` its aria-label. Each word is also marked with N_() where the page's script is.
 * @param {ParentNode} [root]
 */
export function translateMarked(root = document) {
  for (const element of root.querySelectorAll('[data-t]')) {
    const english = element.getAttribute('data-t') || element.textContent?.trim() || '';
    element.setAttribute('data-t', english); // kept, so a second call translates from English
    element.textContent = element.tagName === 'TITLE' ? `${t(english)} · Gemba Walk` : t(english);
  }
  for (const element of root.querySelectorAll('[data-t-label]')) {
    const english = element.getAttribute('data-t-label') || element.getAttribute('aria-label') || '';
    element.setAttribute('data-t-label', english);
    element.setAttribute('aria-label', t(english));
  }
}

/** Mark a word for the catalog where it is defined; t() translates it where it is shown. */
export const N_ = (/** @type {string} */ text) => text;

/** The language dates and numbers are written in ('en', 'de', 'es', 'ja'). */
export function locale() {
  return language;
}

/**
 * Translate, then fill %(name)s placeholders (the same form as the Python catalogs, so one
 * catalog check holds both).
 * @param {string} msgid
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(msgid, params = {}) {
  const text = messages[msgid] || msgid;
  return text.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The catalog a server page carries (base.html writes it), if any. */
export function useMessagesOfPage() {
  const block = typeof document !== 'undefined' ? document.getElementById('js-messages') : null;
  if (!block) return;
  try {
    useMessages({ language: document.documentElement.lang, messages: JSON.parse(block.textContent || '{}') });
  } catch {
    // a damaged block: English it is
  }
}
