// The parsers and trackers Vigil has: one list each, for manifest validation, workspace validation,
// the API types, the CLI and the settings UI. The native engine has its own registry (the ParserKind
// and TrackerKind enums); test/integration/registries.test.ts checks that the two agree.

/** Output-layout parsers, by the name a manifest's `parser` field uses (MANIFEST.md). */
export const PARSER_NAMES = ['yolov5', 'yolov8', 'nanodet', 'centernet', 'ssd', 'detr'] as const;
export type ParserName = (typeof PARSER_NAMES)[number];

/** Multi-object trackers, by the name `engine.tracker` in the workspace uses. */
export const TRACKER_KINDS = ['iou', 'sort', 'bytetrack'] as const;
export type TrackerKind = (typeof TRACKER_KINDS)[number];

export const isParserName = (v: unknown): v is ParserName => (PARSER_NAMES as readonly unknown[]).includes(v);
export const isTrackerKind = (v: unknown): v is TrackerKind => (TRACKER_KINDS as readonly unknown[]).includes(v);

/** Analytics regions (main/api/contract.ts `Zone`); the native parser is native/src/analytics/config.cpp. */
export const ZONE_KINDS = ['zone', 'line', 'mask'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];
/** Lines: which crossings count (in = left→right of a→b). Zones: only objects moving that way enter. */
export const ZONE_DIRECTIONS = ['any', 'in', 'out', 'left', 'right', 'up', 'down'] as const;
export type ZoneDirection = (typeof ZONE_DIRECTIONS)[number];
/**
 * What the analytics stage reports (native/src/analytics `eventKindName`), by the engine's names: the
 * one list the engine types, the store's rows and the API share. A crossing's direction is a field of
 * its own (CROSSING_DIRECTIONS), never part of the kind.
 */
export const ZONE_EVENT_KINDS = ['enter', 'exit', 'cross', 'crowded', 'crowd-end', 'dwell'] as const;
export type ZoneEventKind = (typeof ZONE_EVENT_KINDS)[number];
/** A line crossing's direction: 'in' is left→right of the line's a→b. */
export const CROSSING_DIRECTIONS = ['in', 'out'] as const;
export type CrossingDirection = (typeof CROSSING_DIRECTIONS)[number];
export const isZoneEventKind = (v: unknown): v is ZoneEventKind => (ZONE_EVENT_KINDS as readonly unknown[]).includes(v);

/** The point of an object's box that zones, lines and masks judge. */
export const REFERENCE_POINTS = ['bottom-center', 'center', 'top-center'] as const;
export type ReferencePoint = (typeof REFERENCE_POINTS)[number];
/** Accepted ranges of a zone's numeric fields (the same in native/src/analytics/config.cpp). */
export const ZONE_LIMITS = {
  minScore: { min: 0, max: 1, integer: false },
  inertiaFrames: { min: 1, max: 1000, integer: true },
  crowdThreshold: { min: 0, max: 100_000, integer: true },
  crowdSeconds: { min: 0, max: 86_400, integer: false },
  dwellSeconds: { min: 0, max: 604_800, integer: false },
} as const;

/** MQTT event payloads (docs/MQTT.md): Vigil's own JSON, or DeepStream nvmsgconv's full schema. */
export const MQTT_PAYLOAD_FORMATS = ['vigil', 'nvmsgconv'] as const;
export type MqttPayloadFormat = (typeof MQTT_PAYLOAD_FORMATS)[number];
/** Broker URL schemes: plain TCP or TLS. */
export const MQTT_SCHEMES = ['mqtt:', 'mqtts:'] as const;
/** Video recording per camera (`record.mode`): nothing, every segment, or only segments near events. */
export const RECORD_MODES = ['off', 'continuous', 'events'] as const;
export type RecordMode = (typeof RECORD_MODES)[number];
/** Accepted ranges of a camera's video recording fields (`RecordPolicy`). */
export const RECORD_LIMITS = {
  segmentSeconds: { min: 2, max: 3600, integer: false },
  preRollSeconds: { min: 0, max: 600, integer: false },
  postRollSeconds: { min: 0, max: 600, integer: false },
  maxAgeDays: { min: 0, max: 3650, integer: false },
  maxGigabytes: { min: 0, max: 100_000, integer: false },
} as const;

/** "a, b or c": for messages that name the accepted values. */
export function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Motion gating's sensitivity (a camera's `motion.sensitivity`): 1 reacts only to large, strong changes,
 * 100 to a faint flicker of a small area. The native detector (native/src/motion/motion.h) has the same
 * range and default; test/integration/registries.test.ts checks that they agree.
 */
export const MOTION_LIMITS = { sensitivity: { min: 1, max: 100, integer: true, default: 50 } } as const;
