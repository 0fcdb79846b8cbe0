// @ts-check
// The field rules the phone and the server apply alike, from one data file
// (gemba_walk/field_rules.json; the server reads it in gemba_walk/field_rules.py).
// tests/field_rules_cases.json is one table of cases both sides are tested against.
import RULES from '../../../gemba_walk/field_rules.json' with { type: 'json' };

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
 * @returns {import('./types').Severity}
 */
export function defaultSeverity(kind) {
  const severity = /** @type {Labels} */ (RULES.default_severity)[kind] || 'medium';
  return /** @type {import('./types').Severity} */ (severity);
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

// --- limits of the records the phone sends (the server's contract reads the same) ---------------

/** @typedef {{min_length?: number, max_length?: number, ge?: number, le?: number}} Bounds */
/** @typedef {{field: string, limit: string, bound: number}} LimitProblem */

const LIMITS =
  /** @type {{types: Record<string, Bounds>, records: Record<string, Record<string, string | Bounds>>}} */ (
    /** @type {unknown} */ (RULES.limits)
  );

/**
 * The bounds of one field of a record ('finding', 'photo_uuids').
 * @param {string} record
 * @param {string} field
 * @returns {Bounds}
 */
export function limitOf(record, field) {
  const bounds = LIMITS.records[record][field];
  return typeof bounds === 'string' ? LIMITS.types[bounds] : bounds;
}

/** The most photos a finding keeps (the server refuses a finding with more). */
export const MAX_PHOTOS_PER_FINDING = /** @type {number} */ (limitOf('finding', 'photo_uuids').max_length);

/** @param {unknown} value */
const sizeOf = (value) => {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return null;
};

/**
 * The limits a record's own fields are past, as the server would refuse them (the same answer
 * as gemba_walk/field_rules.record_problems).
 * @param {string} record 'batch', 'audit', 'response', 'finding', 'ticket_note', 'scan'
 * @param {Record<string, unknown>} values
 * @returns {LimitProblem[]}
 */
export function recordProblems(record, values) {
  /** @type {LimitProblem[]} */
  const problems = [];
  for (const [field, value] of Object.entries(values)) {
    if (!(field in LIMITS.records[record]) || value === null || value === undefined) continue;
    for (const [name, bound] of Object.entries(limitOf(record, field))) {
      let past = false;
      const size = sizeOf(value);
      if ((name === 'min_length' || name === 'max_length') && size !== null) {
        past = name === 'min_length' ? size < bound : size > bound;
      } else if ((name === 'ge' || name === 'le') && typeof value === 'number') {
        past = name === 'ge' ? value < bound : value > bound;
      }
      if (past) problems.push({ field, limit: name, bound });
    }
  }
  return problems;
}

/**
 * Can one more photo join a finding that has `count`?
 * @param {number} count
 */
export function photoFits(count) {
  return count < MAX_PHOTOS_PER_FINDING;
}

// --- the server's clock, not the phone's ---------------------------------------------------------

/**
 * A capture time as the server stores it: the phone's, unless it is more than
 * clock.future_minutes ahead of when it was received (on the phone: the server's clock as last
 * seen), then the received time. Both as Dates; the same rule as field_rules.trusted_time.
 * @param {Date} phone
 * @param {Date} received
 * @returns {Date}
 */
export function trustedTime(phone, received) {
  return phone.getTime() - received.getTime() > RULES.clock.future_minutes * 60_000 ? received : phone;
}
