// @ts-check
// Tiny DOM helpers: build elements with text, never HTML strings (no injection, CSP-safe).
import { locale, t } from './i18n.js';

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'className') {
      element.className = value;
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
function inLocale(iso, options) {
  return new Intl.DateTimeFormat(locale(), { hourCycle: 'h23', timeZone: plantZone, ...options }).format(new Date(iso));
}

function parts(iso, options) {
  const format = new Intl.DateTimeFormat('en-GB', { hourCycle: 'h23', timeZone: plantZone, ...options });
  return Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
}

export function time(iso) {
  if (!iso) return '';
  if (locale() !== 'en') return inLocale(iso, { hour: '2-digit', minute: '2-digit' });
  const p = parts(iso, { hour: '2-digit', minute: '2-digit' });
  return `${p.hour}:${p.minute}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago": how old something is, in plain words. */
export function ago(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60000));
  if (minutes < 1) return t('just now');
  if (minutes < 60) return t('%(count)s min ago', { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t('%(count)s h ago', { count: hours });
  const days = Math.round(hours / 24);
  return days === 1 ? t('yesterday') : t('%(count)s days ago', { count: days });
}

export function dateTime(iso) {
  if (!iso) return '';
  if (locale() !== 'en') {
    return inLocale(iso, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  const p = parts(iso, { day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

export function date(iso) {
  if (!iso) return '';
  if (locale() !== 'en') return inLocale(iso, { day: 'numeric', month: 'short', year: 'numeric' });
  const p = parts(iso, { day: '2-digit', month: 'short', year: 'numeric' });
  return `${p.day} ${p.month} ${p.year}`;
}

export function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

export function labelOf(terms, key) {
  return terms.find((term) => term.key === key)?.label || key;
}

export function mount(root, ...children) {
  root.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
  const heading = root.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · Gemba Walk`;
}
