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

/** "a, b or c": for messages that name the accepted values. */
export function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
