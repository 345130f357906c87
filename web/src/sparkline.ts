/** A small burn-down line (remaining budget over the window) as inline SVG, for the list and the wall screen. */
import { svg } from './dom';

export function sparkline(values: Array<number | null>, options: { width?: number; height?: number; label: string }): SVGSVGElement {
  const width = options.width ?? 120;
  const height = options.height ?? 28;
  const el = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'spark', role: 'img', 'aria-label': options.label });
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return el;
  const lo = Math.min(0, ...known);
  const hi = Math.max(1, ...known);
  const x = (i: number): number => (values.length === 1 ? 0 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v: number): number => height - 1 - ((v - lo) / (hi - lo)) * (height - 2);
  el.appendChild(svg('line', { x1: 0, x2: width, y1: y(0), y2: y(0), class: 'spark-zero' }));
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  el.appendChild(svg('path', { d, class: 'spark-line' }));
  return el;
}
