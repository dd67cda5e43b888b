// Beside and under the timeline's canvas: the lane names (camera, then each label band, with how many
// tracks share the aggregate row), the legend, and the hover card of the track under the pointer.
import { ZONE_EVENT_KINDS } from '../../main/api/registries';
import type { TrackSummary, ZoneEventKind } from '../../main/api/contract';
import { drawEventMark, EVENT_STYLE } from './event-marks';
import type { ApiClient } from '../api/client';
import { labelColor } from '../common/colors';
import { formatDuration, formatTime } from '../common/format';
import { TrackThumb } from '../common/TrackThumb';
import { AXIS_HEIGHT, DENSITY_HEIGHT, type LaneLayout } from './lane-layout';

export function LaneNames({ layout, names }: { layout: LaneLayout[]; names: Map<string, string> }) {
  const height = layout.length ? layout[layout.length - 1]!.top + layout[layout.length - 1]!.height : AXIS_HEIGHT;
  return (
    <div className="lane-names" style={{ height }}>
      {layout.map((lane) => (
        <div key={lane.camera}>
          <div
            className="lane-name"
            style={{ top: lane.top, height: lane.height }}
            data-testid={`timeline-lane-${lane.camera}`}
            data-bands={lane.bands.map((b) => b.label).join(',')}
            title={lane.camera}
          >
            <span style={{ height: DENSITY_HEIGHT }}>{names.get(lane.camera) ?? lane.camera}</span>
          </div>
          {lane.bands.map((b) => (
            <div
              key={b.label}
              className="band-name"
              style={{ top: b.top, height: b.height, color: labelColor(b.label) }}
              data-testid={`timeline-band-${lane.camera}-${b.label}`}
              data-rows={b.rows}
              data-aggregated={b.aggregated}
              title={b.aggregated ? `${b.aggregated} more ${b.label} tracks at the same time than rows: drawn faded in the last row` : undefined}
            >
              {b.label}
              {b.aggregated > 0 && <span className="band-more"> +{b.aggregated}</span>}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** What the colours and shapes on the timeline mean: the labels in view and each mark. */
export function TimelineLegend({ labels }: { labels: string[] }) {
  return (
    <div className="legend timeline-legend" data-testid="timeline-legend" aria-label="Timeline legend">
      {labels.map((l) => (
        <span key={l} className="legend-item" data-testid={`legend-label-${l}`}>
          <i className="swatch" style={{ background: labelColor(l) }} />
          {l}
        </span>
      ))}
      <span className="legend-item" data-testid="legend-bar">
        <i className="swatch bar" /> a track, first to last sighting (one row each when they overlap)
      </span>
      <span className="legend-item" data-testid="legend-aggregate">
        <i className="swatch bar faded" /> +N: more tracks at once than rows, drawn faded in the last row
      </span>
      {ZONE_EVENT_KINDS.map((k) => (
        <span key={k} className="legend-item" data-testid={`legend-event-${k}`}>
          <EventSwatch kind={k} /> {EVENT_STYLE[k].words}
        </span>
      ))}
      <span className="legend-item" data-testid="legend-density">
        <i className="swatch density" /> detections per interval
      </span>
      <span className="legend-item" data-testid="legend-playhead">
        <i className="swatch playhead" /> playhead (now while following live)
      </span>
    </div>
  );
}

/** A legend swatch: the event's own glyph, drawn by the same code as the timeline's. */
function EventSwatch({ kind }: { kind: ZoneEventKind }) {
  return (
    <canvas
      width={14}
      height={14}
      className="swatch"
      ref={(c) => {
        const ctx = c?.getContext('2d');
        if (ctx) drawEventMark(ctx, { kind, direction: null }, 7, 7, 5);
      }}
    />
  );
}

/** The track under the pointer: its picture cropped to the object, label, camera, start and duration. */
export function HoverCard({ api, track, x, y, camera }: { api: ApiClient; track: TrackSummary; x: number; y: number; camera: string }) {
  return (
    <div className="timeline-hover" style={{ left: x + 12, top: y + 12 }} data-testid="timeline-hover" data-track={track.id} role="tooltip">
      <TrackThumb api={api} track={track} width={128} height={96} testId="timeline-hover-thumb" />
      <div>
        <b style={{ color: labelColor(track.label) }}>{track.label}</b> on {camera}
        <br />
        {formatTime(track.firstSeen)} · {formatDuration(track.lastSeen - track.firstSeen)}
        <br />
        <span className="hint">click to review</span>
      </div>
    </div>
  );
}
