// @ts-check
// The field rules the phone and the server apply alike, from one data file
// (gemba_walk/field_rules.json; the server reads it in gemba_walk/field_rules.py).
// tests/field_rules_cases.json is one table of cases both sides are tested against.
import RULES from '../../gemba_walk/field_rules.json' with { type: 'json' };

export { RULES };

/** @typedef {import('./types').Item} Item */
/** @typedef {import('./types').Answer} Answer */
/** @typedef {import('./types').Template} Template */
/** @typedef {Record<string, string>} Labels a key → words map of the rules file */

/**
 * The exact value rounded half away from zero to `decimals` (as Python's ROUND_HALF_UP).
 * @param {number} value
 * @param {number} decimals
 */
function fixed(value, decimals) {
  return value.toFixed(decimals);
}

/**
 * A reading as people write it: 1234567, 8.5, 0.3 — never 1.23457e+06 or 6.0.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (value === null || value === undefined) return '';
  let text = fixed(value, RULES.number.max_decimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' || text === '' ? '0' : text;
}

/** @param {number} value */
export function numberInRange(value) {
  return Number.isFinite(value) && Math.abs(value) < RULES.number.max_abs;
}

/**
 * A 5S score as every page shows it: one decimal, half up.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatScore(value) {
  if (value === null || value === undefined) return '–';
  return fixed(value, RULES.score.shown_decimals);
}

const stored = (/** @type {number} */ value) => Number(fixed(value, RULES.score.stored_decimals));

/**
 * Pillar means (rounded) and the total as the mean of the rounded pillars.
 * @param {[string, number | null | undefined][]} scored [pillar, score] of every scored item
 * @param {string[]} pillars
 * @returns {{pillars: Record<string, number>, total: number | null}}
 */
export function fiveSScores(scored, pillars) {
  /** @type {Map<string, number[]>} */
  const byPillar = new Map();
  for (const [pillar, score] of scored) {
    if (score === null || score === undefined) continue;
    if (!byPillar.has(pillar)) byPillar.set(pillar, []);
    byPillar.get(pillar)?.push(score);
  }
  /** @type {Record<string, number>} */
  const means = {};
  for (const pillar of pillars) {
    const values = byPillar.get(pillar);
    if (values?.length) means[pillar] = stored(values.reduce((a, b) => a + b, 0) / values.length);
  }
  const totals = Object.values(means);
  if (!totals.length) return { pillars: {}, total: null };
  return { pillars: means, total: stored(totals.reduce((a, b) => a + b, 0) / totals.length) };
}

/**
 * @param {string} kind a checklist kind ('5s', 'waste'...)
 * @returns {string}
 */
export function defaultSeverity(kind) {
  return /** @type {Labels} */ (RULES.default_severity)[kind] || 'medium';
}

/**
 * @param {string} severity
 * @returns {number | undefined}
 */
export function severityRank(severity) {
  return /** @type {Record<string, number>} */ (RULES.severity_rank)[severity];
}

const end = (/** @type {number | null | undefined} */ value) =>
  value === null || value === undefined ? '…' : formatNumber(value);

/**
 * Why an answer is a problem worth a ticket, or '' (the server applies the very same).
 * @param {Pick<Item, 'response_type'> & Partial<Item>} item
 * @param {Answer} answer
 * @returns {string}
 */
export function pastLimits(item, answer) {
  if (item.response_type === 'score') {
    const limit = item.ticket_threshold;
    const score = answer.score;
    return typeof score === 'number' &&
      Number.isInteger(score) &&
      limit !== null &&
      limit !== undefined &&
      score <= limit
      ? `scored ${score}`
      : '';
  }
  if (item.response_type === 'pass_fail') return answer.value_bool === false ? 'failed' : '';
  if (item.response_type === 'number' && typeof answer.value_number === 'number') {
    const { min, max } = item;
    const value = answer.value_number;
    const below = min !== null && min !== undefined && value < min;
    const above = max !== null && max !== undefined && value > max;
    if (below || above) return `reading ${formatNumber(value)} is outside the normal range ${end(min)} to ${end(max)}`;
  }
  return '';
}

/** @typedef {[string, string]} StartButton [key, label] */

/** @type {(a: StartButton, b: StartButton) => number} */
const byName = (a, b) => {
  const [x, y] = [a[1].toLowerCase(), b[1].toLowerCase()];
  if (x !== y) return x < y ? -1 : 1;
  if (a[1] === b[1]) return 0;
  return a[1] < b[1] ? -1 : 1;
};

/**
 * [key, label] of the start buttons: the standard walks first, then the others by name.
 * @param {Pick<Template, 'key' | 'name'>[]} templates
 * @returns {StartButton[]}
 */
export function startOrder(templates) {
  const present = new Set(templates.map((t) => t.key));
  const labels = /** @type {Labels} */ (RULES.start_labels);
  const standard = RULES.start_order
    .filter((key) => present.has(key))
    .map((key) => /** @type {StartButton} */ ([key, labels[key]]));
  const others = templates
    .filter((t) => !RULES.start_order.includes(t.key))
    .map((t) => /** @type {StartButton} */ ([t.key, t.name]))
    .sort(byName);
  return [...standard, ...others];
}

/** An area code as compared: any case, with or without hyphens or spaces ('a11' = 'A-11'). */
/**
 * @param {string} typed
 * @returns {string}
 */
export function areaCodeKey(typed) {
  return typed.toUpperCase().replace(/[^0-9A-Z]/g, '');
}
