// Plant local time on the phone: the same words as the server's core/localtime.py, in the
// plant's zone from the field pack, whatever zone the phone is set to.
import assert from 'node:assert/strict';
import test from 'node:test';

import { date, dateTime, setPlantZone, time, zoneOfArea } from '../../static/js/shared/ui.js';

test('Berlin across the spring change reads as the server writes it', () => {
  setPlantZone('Europe/Berlin');
  assert.equal(dateTime('2026-03-29T00:59:00Z'), '29 Mar 2026, 01:59');
  assert.equal(dateTime('2026-03-29T01:30:00Z'), '29 Mar 2026, 03:30');
  assert.equal(time('2026-10-25T00:30:00Z'), '02:30');
  assert.equal(time('2026-10-25T01:30:00Z'), '02:30');
  assert.equal(date('2026-11-25T23:30:00Z'), '26 Nov 2026');
});

test('New York, and an unknown zone falls back to the phone’s own', () => {
  setPlantZone('America/New_York');
  assert.equal(dateTime('2026-11-01T05:30:00Z'), '01 Nov 2026, 01:30');
  setPlantZone('Mars/Olympus');
  assert.match(dateTime('2026-11-01T05:30:00Z'), /^\d\d \w{3} 2026, \d\d:\d\d$/);
});

test('An area reads in its own site’s zone; an area the pack does not know, in the plant’s', () => {
  const pack = {
    timezone: 'Europe/Berlin',
    sites: [
      { id: 1, timezone: 'Europe/Berlin' },
      { id: 2, timezone: 'America/Chicago' },
    ],
    areas: [
      { id: 10, site_id: 1 },
      { id: 20, site_id: 2 },
    ],
  };
  setPlantZone(zoneOfArea(pack, 20));
  assert.equal(dateTime('2026-11-20T14:05:00Z'), '20 Nov 2026, 08:05');
  setPlantZone(zoneOfArea(pack, 10));
  assert.equal(dateTime('2026-11-20T14:05:00Z'), '20 Nov 2026, 15:05');
  assert.equal(zoneOfArea(pack, 99), 'Europe/Berlin');
  assert.equal(zoneOfArea(undefined, 10), undefined);
});
