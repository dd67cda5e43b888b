// main/store: SQLite recorder, review queries and retention. See store.ts (openStore).
export { openStore, type Store, type StoreOptions } from './store.js';
export type { Recorder } from './recorder.js';
export type { RecorderOptions, CommitInfo, WriteReceipt, CameraRecordingPolicy } from './types.js';
export type { StoreQueries } from './queries.js';
export { BadQueryError } from './queries.js';
export type { Retention } from './retention.js';
export { segmentNameTime, type SegmentIndex, type EventsPolicy, type CameraSegmentLimits } from './segments.js';
export type { SqlDriver, DriverOpener, SqlStep, SqlParams, SqlValue } from './driver.js';
export { latestSchemaVersion } from './schema.js';
export { openStoreReader, type StoreReader, type ExportSegment, type ExportTrack, type ExportTrackBoxes, type ExportEvent } from './exports.js';
