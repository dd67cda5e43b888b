// One colour per class label, stable across screens (the live wall, timeline and review agree).
const PALETTE = ['#ff5a5f', '#3ecf8e', '#4da3ff', '#ffb020', '#c77dff', '#2ed3d3', '#ff7eb6', '#a3e635', '#f97316', '#94a3b8'];
const FIXED: Record<string, string> = { person: PALETTE[0]!, car: PALETTE[2]!, bicycle: PALETTE[1]!, truck: PALETTE[3]!, dog: PALETTE[4]! };

export function labelColor(label: string): string {
  const fixed = FIXED[label];
  if (fixed) return fixed;
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
