// What the MQTT publisher needs from the workspace: its settings (with `vigil serve --mqtt` on top)
// and the operator's names of cameras and zones.
import type { CameraNames, NamesOf } from '../mqtt/payloads.js';
import type { PublisherConfig } from '../mqtt/publisher.js';
import { splitBrokerPassword } from '../workspace/broker-url.js';
import type { CameraConfig } from '../workspace/model.js';
import type { WorkspaceFile } from '../workspace/workspace-file.js';

export function mqttConfig(workspace: WorkspaceFile, overrideUrl?: string): PublisherConfig {
  const m = workspace.get().mqtt;
  const url = overrideUrl ? splitBrokerPassword(overrideUrl).url : m.url;
  return { enabled: overrideUrl ? true : m.enabled, url, password: workspace.brokerPassword(), topicPrefix: m.topicPrefix, format: m.format };
}

/** Camera and zone names, built once per version of a camera's settings. */
export function namesFrom(workspace: WorkspaceFile): NamesOf {
  const cache = new WeakMap<CameraConfig, CameraNames>();
  return (id) => {
    const camera = workspace.camera(id);
    if (!camera) return undefined;
    let names = cache.get(camera);
    if (!names) {
      names = { name: camera.name, zones: new Map(camera.zones.map((z) => [z.id, { name: z.name, kind: z.kind }])) };
      cache.set(camera, names);
    }
    return names;
  };
}
