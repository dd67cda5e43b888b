// A single camera's preview on a canvas (settings: add-camera preview, zone editor background).
import { useEffect, useRef } from 'react';
import type { ApiClient } from '../api/client';

export function PreviewCanvas({
  api,
  camera,
  onFrameSize,
  testId,
  children,
}: {
  api: ApiClient;
  camera: string;
  onFrameSize?: (w: number, h: number) => void;
  testId?: string;
  children?: React.ReactNode;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const sizeCb = useRef(onFrameSize);
  sizeCb.current = onFrameSize;
  useEffect(() => {
    let latest = -1;
    let seenSize = '';
    return api.subscribe(
      'preview',
      (msg) => {
        if (msg.frame <= latest) return;
        latest = msg.frame;
        createImageBitmap(new Blob([msg.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' })).then(
          (bitmap) => {
            const c = canvas.current;
            if (c) {
              if (c.width !== msg.width || c.height !== msg.height) {
                c.width = msg.width;
                c.height = msg.height;
              }
              c.getContext('2d')?.drawImage(bitmap, 0, 0, msg.width, msg.height);
              c.dataset.frame = String(msg.frame);
            }
            bitmap.close();
            const size = `${msg.width}x${msg.height}`;
            if (size !== seenSize) {
              seenSize = size;
              sizeCb.current?.(msg.width, msg.height);
            }
          },
          () => {},
        );
      },
      camera,
    );
  }, [api, camera]);
  return (
    <div className="preview-wrap">
      <canvas ref={canvas} className="preview-canvas" data-testid={testId} aria-label={`preview of ${camera}`} width={640} height={360} />
      {children}
    </div>
  );
}
