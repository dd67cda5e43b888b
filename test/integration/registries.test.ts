// One list of parsers and one of trackers: main/api/registries.ts must name exactly what the native
// engine's registries (the ParserKind and TrackerKind enums) have, read through the real addon.
import { describe, expect, it } from 'vitest';
import { PARSER_NAMES, TRACKER_KINDS } from '../../main/api/registries.js';
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
    expect(() => addon.decodeDetections('yolov9', {}, { numClasses: 1 })).toThrow(`parser 'yolov9' is not one of yolov5, yolov8, nanodet, centernet, ssd or detr`);
  });
});
