// The phone's field rules against the table of cases the server is tested against too
// (tests/test_field_rules.py runs this file with `node --test` inside `make test`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  areaCodeKey,
  defaultSeverity,
  fiveSScores,
  formatNumber,
  formatScore,
  limitOf,
  MAX_PHOTOS_PER_FINDING,
  pastLimits,
  photoFits,
  RULES,
  recordProblems,
  startOrder,
  trustedTime,
} from '../../static/js/shared/rules.js';

const CASES = JSON.parse(readFileSync(new URL('../field_rules_cases.json', import.meta.url)));
const PILLARS = ['sort', 'set_in_order', 'shine', 'standardize', 'sustain'];

test('numbers are written the same on both sides', () => {
  for (const [value, expected] of CASES.format_number) assert.equal(formatNumber(value), expected, `${value}`);
});

test('scores are shown the same on both sides', () => {
  for (const [value, expected] of CASES.format_score) assert.equal(formatScore(value), expected, `${value}`);
});

test('5S scores are rounded the same on both sides', () => {
  for (const c of CASES.five_s_scores) {
    assert.deepEqual(fiveSScores(c.scored, PILLARS), { pillars: c.pillars, total: c.total });
  }
});

test('the same answers open a ticket on both sides', () => {
  for (const c of CASES.past_limits) assert.equal(pastLimits(c.item, c.answer), c.expect, JSON.stringify(c));
});

test('default severities are the same on both sides', () => {
  for (const [kind, expected] of CASES.default_severity) assert.equal(defaultSeverity(kind), expected);
});

test('start buttons come in the same order on both sides', () => {
  for (const c of CASES.start_order) assert.deepEqual(startOrder(c.templates), c.expect);
});

test('typed area codes match the same on both sides', () => {
  for (const [typed, expected] of CASES.area_code_key) assert.equal(areaCodeKey(typed), expected);
});

// --- one limit, both sides (the same walk as tests/test_field_rules.py) ---------------------------

const LIMIT_CASES = CASES.record_limits;
const uuid = (/** @type {number} */ n) => `6f1c2a8e-1d2b-4c3d-8e4f-${String(n).padStart(12, '0')}`;

function sized(record, field, size) {
  const bounds = RULES.limits.records[record][field];
  const item = LIMIT_CASES.list_items[field];
  if (item === 'uuid') return Array.from({ length: size }, (_, i) => uuid(i + 1));
  if (item) return Array.from({ length: size }, () => LIMIT_CASES.records[item]);
  if (field === 'photo_originals')
    return Object.fromEntries(Array.from({ length: size }, (_, i) => [uuid(i + 1), uuid(100 + i)]));
  const prefix = bounds === 'timestamp' ? LIMIT_CASES.timestamp_prefix : '';
  return (prefix + 'x'.repeat(size)).slice(0, size);
}

test('the phone refuses one past every limit the server enforces, and takes the limit itself', () => {
  let checked = 0;
  for (const [record, fields] of Object.entries(RULES.limits.records)) {
    for (const field of Object.keys(fields)) {
      for (const [name, bound] of Object.entries(limitOf(record, field))) {
        const number = name === 'ge' || name === 'le';
        const step = name === 'ge' || name === 'min_length' ? -1 : 1;
        const at = number ? bound : sized(record, field, bound);
        const past = number ? bound + step : sized(record, field, bound + step);
        assert.deepEqual(recordProblems(record, { [field]: at }), [], `${record}.${field} at ${name} ${bound}`);
        assert.deepEqual(
          recordProblems(record, { [field]: past }),
          [{ field, limit: name, bound }],
          `${record}.${field}`,
        );
        checked += 1;
      }
    }
  }
  assert.ok(checked >= 30, `${checked} limits`);
});

test('the same records are past a limit on both sides', () => {
  for (const c of LIMIT_CASES.cases) {
    const values = Object.fromEntries(
      Object.entries(c.values).map(([field, value]) => [
        field,
        field in LIMIT_CASES.list_items ? sized(c.record, field, value) : value,
      ]),
    );
    assert.deepEqual(recordProblems(c.record, values), c.expect, JSON.stringify(c));
  }
  assert.equal(MAX_PHOTOS_PER_FINDING, 12);
  assert.ok(photoFits(11) && !photoFits(12));
});

test('a capture time from a clock running ahead is the received time on both sides', () => {
  for (const c of CASES.trusted_time) {
    const trusted = trustedTime(new Date(c.phone), new Date(c.received));
    assert.equal(trusted.getTime(), new Date(c.expect).getTime(), JSON.stringify(c));
  }
});
