// A real `vigil serve` recording cameras that play the demo clip (H.264, stream copy) in short
// segments with every inferred frame's boxes stored: for the playback tests and bench.
import { join } from 'node:path';
import type { RecordingSegment } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { callApi, until } from './faults.js';
import { faultWorkspace, serveWorkspace } from './rtsp-camera.js';
import type { ServedNode } from './serve.js';

export const DEMO_CLIP = `file://${join(projectRoot(), '.vigil', 'media', 'vtest.mp4')}`;

/** Starts a node whose cameras (names; ids are their lower-case slugs) record continuously. */
export function serveRecording(names: string[], o: { segmentSeconds?: number; detectFps?: number } = {}): Promise<ServedNode> {
  const record = { detectionsHz: 0, snapshots: true, mode: 'continuous', segmentSeconds: o.segmentSeconds ?? 3 };
  return serveWorkspace(faultWorkspace(names.map((name) => ({ name, uri: DEMO_CLIP, detectFps: o.detectFps ?? 5, record }) as never)), {
    VIGIL_RECORDINGS_EVERY_MS: '1000',
  });
}

/** Waits until every camera has at least `count` indexed segments; returns them by camera. */
export function waitForSegments(node: ServedNode, cameras: string[], count: number, timeoutMs = 150_000): Promise<Record<string, RecordingSegment[]>> {
  return until(
    `${count} segments on ${cameras.join(', ')}`,
    timeoutMs,
    async () => {
      const out: Record<string, RecordingSegment[]> = {};
      for (const camera of cameras) {
        const list = await callApi<RecordingSegment[]>(node.origin, 'recordings.list', { camera, from: 0, to: Date.now() + 60_000 });
        if (list.length < count) return undefined;
        out[camera] = list;
      }
      return out;
    },
    1000,
  );
}
