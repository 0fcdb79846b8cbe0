// @ts-check
// Tiny DOM helpers: build elements with text, never HTML strings (no injection, CSP-safe).
import { locale, t } from './i18n.js';

/** What a child of an element may be: a node, words, or nothing (skipped); lists are flattened.
 * @typedef {Node | string | number | null | undefined | false} Child
 */
/** An input, select or textarea's event: its target is the field the handler is set on.
 * @typedef {Event & {target: HTMLInputElement}} FieldEvent
 */
/**
 * An element's attributes: on… are its event handlers, className its class; true writes the
 * bare attribute, null, undefined and false leave it out.
 * @typedef {{
 *   onclick?: (event: MouseEvent) => unknown,
 *   oninput?: (event: FieldEvent) => unknown,
 *   onchange?: (event: FieldEvent) => unknown,
 *   onsubmit?: (event: SubmitEvent) => unknown,
 *   [name: string]: unknown,
 * }} Attributes
 */

/**
 * Build an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (name === 'className') {
      element.className = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Plant local time, as the server writes it (core/localtime.py): "26 Nov 2026, 08:33" in the
// plant's zone from the field pack, whatever zone the phone itself is set to.
/** @type {string | undefined} */
let plantZone;

/** @param {string | undefined} zone an IANA zone name (an unknown one is ignored) */
export function setPlantZone(zone) {
  try {
    if (zone) new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    plantZone = zone || undefined;
  } catch {
    plantZone = undefined;
  }
}

/**
 * The zone of the site an area belongs to (a company's sites may lie in different zones), else
 * the pack's plant zone: an area's screens and its drafts read in their own site's time.
 * @typedef {{id: number, timezone: string}} ZonedSite
 * @typedef {{id: number, site_id: number}} SitedArea
 * @param {{timezone?: string, sites?: ZonedSite[], areas?: SitedArea[]} | undefined} pack
 * @param {number | undefined} areaId
 */
export function zoneOfArea(pack, areaId) {
  const area = pack?.areas?.find((candidate) => candidate.id === areaId);
  const site = area && pack?.sites?.find((candidate) => candidate.id === area.site_id);
  return site?.timezone || pack?.timezone;
}

// Another language than English: the browser's own words for it, in the plant's zone.
/** @param {string | number | Date} iso @param {Intl.DateTimeFormatOptions} options */
function inLocale(iso, options) {
  return new Intl.DateTimeFormat(locale(), { hourCycle: 'h23', timeZone: plantZone, ...options }).format(new Date(iso));
}

/**
 * @param {string | number | Date} iso
 * @param {Intl.DateTimeFormatOptions} options
 * @returns {Partial<Record<Intl.DateTimeFormatPartTypes, string>>}
 */
function parts(iso, options) {
  const format = new Intl.DateTimeFormat('en-GB', { hourCycle: 'h23', timeZone: plantZone, ...options });
  return Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
}

/** @param {string | null | undefined} iso */
export function time(iso) {
  if (!iso) return '';
  if (locale() !== 'en') return inLocale(iso, { hour: '2-digit', minute: '2-digit' });
  const p = parts(iso, { hour: '2-digit', minute: '2-digit' });
  return `${p.hour}:${p.minute}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago": how old something is, in plain words. */
/** @param {string} iso */
export function ago(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60000));
  if (minutes < 1) return t('just now');
  if (minutes < 60) return t('%(count)s min ago', { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t('%(count)s h ago', { count: hours });
  const days = Math.round(hours / 24);
  return days === 1 ? t('yesterday') : t('%(count)s days ago', { count: days });
}

/** @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return '';
  if (locale() !== 'en') {
    return inLocale(iso, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  const p = parts(iso, { day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

/** @param {string | null | undefined} iso */
export function date(iso) {
  if (!iso) return '';
  if (locale() !== 'en') return inLocale(iso, { day: 'numeric', month: 'short', year: 'numeric' });
  const p = parts(iso, { day: '2-digit', month: 'short', year: 'numeric' });
  return `${p.day} ${p.month} ${p.year}`;
}

/** @param {number} bytes */
export function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/**
 * A term's words in the person's language, else its key.
 * @param {{key: string, label: string}[]} terms
 * @param {string} key
 */
export function labelOf(terms, key) {
  return terms.find((term) => term.key === key)?.label || key;
}

/**
 * Show a screen: its children replace what `root` held, its h1 names the tab.
 * @param {Element} root
 * @param {...(Child | Child[])} children
 */
export function mount(root, ...children) {
  const shown = children.flat().filter((child) => child !== null && child !== undefined && child !== false);
  root.replaceChildren(...shown.map((child) => (child instanceof Node ? child : String(child))));
  const heading = root.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · Gemba Walk`;
}
