/** Sizes a canvas's backing store to its CSS size at the display's pixel ratio; returns both. */
export function fitCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): { w: number; h: number; dpr: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return { w, h, dpr };
}
