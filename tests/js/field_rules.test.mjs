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
  pastLimits,
  startOrder,
} from '../../static/js/rules.js';

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
