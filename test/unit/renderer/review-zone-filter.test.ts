// Review's zone filter keys a zone by (camera, zone id): ids are unique per camera only, so two
// cameras with a zone 'door' each must stay two entries, and a filter from the URL keeps its camera.
import { describe, expect, it } from 'vitest';
import type { Zone } from '../../../main/api/contract.js';
import { filterFromQuery, queryFromFilter, zoneOptions, zoneOptionValue } from '../../../renderer/review/review-query.js';

const zone = (id: string, name: string, kind: Zone['kind'] = 'zone'): Zone => ({
  id,
  name,
  kind,
  points: [
    [0, 0],
    [1, 0],
    [1, 1],
  ],
  labels: [],
});
const cameras = [
  { id: 'front', name: 'Front', zones: [zone('door', 'Door'), zone('trees', 'Trees', 'mask')] },
  { id: 'back', name: 'Back', zones: [zone('door', 'Back door'), zone('gate', 'Gate', 'line')] },
];

describe('review zone filter', () => {
  it('lists each camera’s zone with the same id as its own entry, named with its camera, masks left out', () => {
    const all = zoneOptions(cameras, undefined);
    expect(all.map((o) => [o.text, o.camera, o.zone])).toEqual([
      ['Back door (Back)', 'back', 'door'],
      ['Door (Front)', 'front', 'door'],
      ['Gate (Back)', 'back', 'gate'],
    ]);
    expect(new Set(all.map((o) => o.value)).size).toBe(3);
  });

  it('with a camera chosen lists that camera’s zones only, by their own names', () => {
    expect(zoneOptions(cameras, 'front').map((o) => [o.text, o.value])).toEqual([['Door', zoneOptionValue('front', 'door')]]);
  });

  it('the select value is unambiguous whatever the ids hold', () => {
    expect(zoneOptionValue('a/b', 'c')).not.toBe(zoneOptionValue('a', 'b/c'));
  });

  it('keeps a zone from the URL only with its camera', () => {
    expect(filterFromQuery('camera=back&zone=door')).toMatchObject({ cameras: ['back'], zone: 'door' });
    expect(filterFromQuery('zone=door').zone).toBeUndefined();
    expect(queryFromFilter({ cameras: ['back'], zone: 'door' }).toString()).toContain('camera=back&zone=door');
  });
});
