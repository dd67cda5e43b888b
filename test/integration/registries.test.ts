// One list of parsers and one of trackers: main/api/registries.ts must name exactly what the native
// engine's registries (the ParserKind and TrackerKind enums) have, read through the real addon.
import { describe, expect, it } from 'vitest';
import { MOTION_LIMITS, PARSER_NAMES, REFERENCE_POINTS, TRACKER_KINDS, ZONE_DIRECTIONS, ZONE_KINDS, ZONE_LIMITS } from '../../main/api/registries.js';
import { loadAddon } from '../../main/addon/addon.js';

const addon = loadAddon();

describe('parser and tracker lists', () => {
  it('PARSER_NAMES equals the native parser registry, in order', () => {
    expect(addon.parserNames()).toEqual([...PARSER_NAMES]);
  });

  it('TRACKER_KINDS equals the native tracker registry, in order', () => {
    expect(addon.trackerNames()).toEqual([...TRACKER_KINDS]);
  });

  it('every listed parser is one the native decoder accepts by that name', () => {
    for (const p of PARSER_NAMES) {
      try {
        addon.decodeDetections(p, {}, { numClasses: 1 });
      } catch (e) {
        // no outputs is a layout error of that parser, never an unknown-parser error
        expect(String(e)).not.toMatch(/is not one of/);
      }
    }
    expect(() => addon.decodeDetections('yolov9', {}, { numClasses: 1 })).toThrow(
      `parser 'yolov9' is not one of yolov5, yolov8, nanodet, centernet, ssd or detr`,
    );
  });
});

describe('zone lists and ranges', () => {
  const square = [
    [0, 0],
    [1, 0],
    [1, 1],
  ];
  const check = (zone: Record<string, unknown>) => addon.checkAnalytics(JSON.stringify([{ id: 'z', name: 'Z', points: square, labels: [], ...zone }]));

  it('the native zone parser accepts every kind, direction and reference point main/api/registries.ts lists, and nothing else', () => {
    for (const kind of ZONE_KINDS)
      expect(
        check({
          kind,
          points:
            kind === 'line'
              ? [
                  [0, 0],
                  [1, 1],
                ]
              : square,
        }),
      ).toBe(1);
    for (const direction of ZONE_DIRECTIONS) {
      const line = direction === 'any' || direction === 'in' || direction === 'out';
      expect(
        check(
          line
            ? {
                kind: 'line',
                points: [
                  [0, 0],
                  [1, 1],
                ],
                direction,
              }
            : { direction },
        ),
      ).toBe(1);
    }
    for (const referencePoint of REFERENCE_POINTS) expect(check({ referencePoint })).toBe(1);
    expect(() => check({ kind: 'ring' })).toThrow(/kind must be 'zone', 'line' or 'mask'/);
    expect(() => check({ direction: 'sideways' })).toThrow(/direction/);
    expect(() => check({ referencePoint: 'feet' })).toThrow(/referencePoint/);
  });

  it('the native zone parser takes the same numeric ranges as ZONE_LIMITS', () => {
    for (const [key, { min, max, integer }] of Object.entries(ZONE_LIMITS)) {
      expect(check({ [key]: min }), key).toBe(1);
      expect(check({ [key]: max }), key).toBe(1);
      expect(() => check({ [key]: min - 1 }), key).toThrow(new RegExp(`zones\\[0\\]\\.${key} must be between`));
      expect(() => check({ [key]: max + 1 }), key).toThrow(new RegExp(`zones\\[0\\]\\.${key} must be between`));
      if (integer) expect(() => check({ [key]: min + 0.5 }), key).toThrow(new RegExp(`zones\\[0\\]\\.${key} must be a whole number`));
    }
  });
});

describe('motion gating range', () => {
  it("MOTION_LIMITS has the native detector's sensitivity range and default", () => {
    const { min, max, default: fallback } = MOTION_LIMITS.sensitivity;
    expect(addon.motionSensitivityRange()).toEqual({ min, max, default: fallback });
  });
});
