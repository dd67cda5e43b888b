// Every MQTT topic Vigil publishes, defined once (docs/MQTT.md describes them to subscribers).

/** A name made safe as one topic level: MQTT's wildcards and separator ('+', '#', '/') and NUL become '_'. */
export function topicLevel(name: string): string {
  const safe = name.replace(/[+#/]/g, '_').replaceAll(String.fromCharCode(0), '_');
  return safe.length > 0 ? safe : '_';
}

export interface Topics {
  /** 'online' while connected, 'offline' (the last will, or a clean stop); retained. */
  available: string;
  /** The engine's and each camera's state, JSON; retained. */
  engine: string;
  /** A camera's event stream: zone/line events and track start, best-snapshot update, end. */
  events(camera: string): string;
  /** A zone's or line's count of one label ('all': every label), JSON; retained. */
  count(camera: string, zone: string, label: string): string;
}

/** The topics under `prefix` (already validated: no wildcards, no leading or trailing '/'). */
export function topicsUnder(prefix: string): Topics {
  return {
    available: `${prefix}/available`,
    engine: `${prefix}/engine`,
    events: (camera) => `${prefix}/${topicLevel(camera)}/events`,
    count: (camera, zone, label) => `${prefix}/${topicLevel(camera)}/counts/${topicLevel(zone)}/${topicLevel(label)}`,
  };
}

/** The label level of a zone's total over every label. */
export const ALL_LABELS = 'all';
