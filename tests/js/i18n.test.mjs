// The phone's t(): a word from the person's catalog, English when the catalog lacks it, and
// %(name)s placeholders filled as the Python catalogs fill them (tests/test_catalogs.py holds
// the placeholders identical).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { locale, t, useMessages } from '../../static/js/shared/i18n.js';

test('English is the text itself, with its placeholders filled', () => {
  useMessages(null);
  assert.equal(locale(), 'en');
  assert.equal(
    t('%(count)s draft(s) of yours are not submitted', { count: 2 }),
    '2 draft(s) of yours are not submitted',
  );
});

test('a catalog translates, and a word it lacks stays English', () => {
  useMessages({ language: 'ja', messages: { 'Switch person': '利用者を交代' } });
  assert.equal(locale(), 'ja');
  assert.equal(t('Switch person'), '利用者を交代');
  assert.equal(t('Report a problem'), 'Report a problem');
});

test('a placeholder without a value is left as it is, never "undefined"', () => {
  useMessages(null);
  assert.equal(t('Note on %(number)s'), 'Note on %(number)s');
});
