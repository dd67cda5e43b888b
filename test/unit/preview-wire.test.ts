// The binary preview message the server encodes is what the renderer's client decodes.
import { describe, expect, it } from 'vitest';
import type { PreviewFrameMessage } from '../../main/api/contract.js';
import { encodePreview } from '../../main/server/http-server.js';
import { decodePreview } from '../../renderer/api/client.js';

describe('preview wire format', () => {
  it('round-trips the header, objects and JPEG bytes from server to renderer', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const msg: PreviewFrameMessage = {
      camera: 'gate',
      frame: 42,
      time: 1_700_000_000_123,
      width: 640,
      height: 360,
      objects: [{ track: 7, classId: 0, label: 'person', score: 0.87, box: [10, 20, 30, 40], inferred: true }],
      jpeg,
    };
    const buf = encodePreview(msg);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const decoded = decodePreview(ab);
    expect(decoded.topic).toBe('preview');
    expect({ ...decoded, jpeg: Array.from(decoded.jpeg) }).toEqual({ ...msg, topic: 'preview', jpeg: Array.from(jpeg) });
  });

  it('rejects a message whose header runs past its end', () => {
    const bad = new ArrayBuffer(8);
    new DataView(bad).setUint32(0, 100, true);
    expect(() => decodePreview(bad)).toThrow('preview header runs past the message');
  });
});
