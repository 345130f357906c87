/**
 * What the SLO page's uPlot charts share: sizing to their container, colours from the board's CSS
 * variables, the time axis, and canvas drawing of bands, lines and labels (markers are drawn on the
 * canvas in plugin hooks, never as HTML).
 */
import uPlot from 'uplot';

/** The cursor of every chart of a page moves together (same time axis). */
export const SYNC_KEY = 'slo-page';

/** Width for a plot inside `el`: its content box, at least 280 px. */
/**
 * What every chart of the SLO page shares: size, one cursor across the charts (no drag zoom), a
 * live legend, and a time axis over the range shown (`range()` answers it in ms, or null before data).
 */
export function timeChartBase(width: number, height: number, range: () => { fromMs: number; toMs: number } | null): Pick<uPlot.Options, 'width' | 'height' | 'cursor' | 'legend'> & { x: uPlot.Scale } {
  return {
    width,
    height,
    cursor: { sync: { key: SYNC_KEY }, drag: { x: false, y: false } },
    legend: { show: true, live: true },
    x: { time: true, range: () => [(range()?.fromMs ?? 0) / 1000, (range()?.toMs ?? 1000) / 1000] },
  };
}

export function plotWidth(el: HTMLElement): number {
  const style = getComputedStyle(el);
  const inner = el.clientWidth - (parseFloat(style.paddingLeft) || 0) - (parseFloat(style.paddingRight) || 0);
  return Math.max(280, Math.floor(inner || 600));
}

/** A colour of the board's stylesheet (`--freeze`), or the fallback before the CSS has loaded. */
export function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** `#c62828` with an alpha as `rgba(…)` (other colour syntaxes are returned as they are). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function px(n: number): number {
  return Math.round(n * uPlot.pxRatio);
}

export function font(sizeCss: number, weight = 400): string {
  return `${weight} ${px(sizeCss)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
}

/** A time in ms as the canvas x position (canvas pixels), clamped to the plotting area. */
export function xPos(u: uPlot, ms: number): number {
  const x = u.valToPos(ms / 1000, 'x', true);
  return Math.min(u.bbox.left + u.bbox.width, Math.max(u.bbox.left, x));
}

export interface BandStyle {
  fill: string;
  /** a strip of this colour along the top edge, so bands of different kinds tell apart */
  edge: string;
  /** diagonal hatching in this colour */
  hatch?: string;
}

/** A shaded band over the plotting area's full height, from `fromMs` to `toMs` (at least 2 px wide). */
export function drawBand(u: uPlot, fromMs: number, toMs: number, style: BandStyle): void {
  const { ctx, bbox } = u;
  let x0 = xPos(u, fromMs);
  let x1 = xPos(u, toMs);
  if (x1 - x0 < px(2)) {
    const mid = (x0 + x1) / 2;
    x0 = mid - px(1);
    x1 = mid + px(1);
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, bbox.top, x1 - x0, bbox.height);
  ctx.clip();
  ctx.fillStyle = style.fill;
  ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
  if (style.hatch) {
    ctx.strokeStyle = style.hatch;
    ctx.lineWidth = px(1);
    ctx.beginPath();
    const gap = px(7);
    for (let x = x0 - bbox.height; x < x1; x += gap) {
      ctx.moveTo(x, bbox.top + bbox.height);
      ctx.lineTo(x + bbox.height, bbox.top);
    }
    ctx.stroke();
  }
  ctx.fillStyle = style.edge;
  ctx.fillRect(x0, bbox.top, x1 - x0, px(3));
  ctx.restore();
}

/** A horizontal line at `value` of scale `scale` across the plotting area (when inside it). */
export function drawHLine(u: uPlot, value: number, scale: string, color: string, dash: number[], label?: string): void {
  const { ctx, bbox } = u;
  const y = Math.round(u.valToPos(value, scale, true));
  if (!(y >= bbox.top && y <= bbox.top + bbox.height)) return;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = px(1.5);
  ctx.setLineDash(dash.map(px));
  ctx.beginPath();
  ctx.moveTo(bbox.left, y);
  ctx.lineTo(bbox.left + bbox.width, y);
  ctx.stroke();
  if (label) {
    ctx.setLineDash([]);
    ctx.font = font(11, 600);
    ctx.fillStyle = color;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(label, bbox.left + bbox.width - px(4), y - px(2));
  }
  ctx.restore();
}

/** A vertical line at `ms` over the plotting area. */
export function drawVLine(u: uPlot, ms: number, color: string): void {
  const { ctx, bbox } = u;
  const x = Math.round(xPos(u, ms));
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = px(1.5);
  ctx.beginPath();
  ctx.moveTo(x, bbox.top);
  ctx.lineTo(x, bbox.top + bbox.height);
  ctx.stroke();
  ctx.restore();
}

/**
 * Places short labels along the top of the plotting area in a few rows, skipping a label where
 * every row is taken (the page's text list names every marker anyway).
 */
export class LabelRows {
  private readonly ends: number[];

  constructor(
    private readonly u: uPlot,
    rows = 3,
  ) {
    this.ends = new Array<number>(rows).fill(Number.NEGATIVE_INFINITY);
  }

  /** Draws `text` starting at canvas x `x` (label kept inside the plotting area); false when it did not fit. */
  place(text: string, x: number, color: string): boolean {
    const { ctx, bbox } = this.u;
    ctx.save();
    ctx.font = font(11, 600);
    const shown = text.length > 28 ? `${text.slice(0, 27)}…` : text;
    const width = ctx.measureText(shown).width;
    const left = Math.min(x + px(3), bbox.left + bbox.width - width - px(2));
    const row = this.ends.findIndex((end) => left > end + px(6));
    if (row < 0) {
      ctx.restore();
      return false;
    }
    this.ends[row] = left + width;
    const y = bbox.top + px(5) + (row + 1) * px(14);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(left - px(2), y - px(12), width + px(4), px(14));
    ctx.fillStyle = color;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(shown, left, y);
    ctx.restore();
    return true;
  }
}

/** The time axis every chart of the page uses (local time, uPlot's formats). */
export function timeAxis(): uPlot.Axis {
  return { stroke: '#5d6675', grid: { stroke: '#eef0f3', width: 1 }, ticks: { stroke: '#e3e6ea', width: 1 } };
}

/**
 * Holds one uPlot instance in a container: created on the first data, updated with setData after,
 * resized to the container, destroyed when the page drops it (so refreshes never pile instances up).
 */
export class PlotHolder {
  private plot: uPlot | null = null;

  constructor(
    readonly el: HTMLElement,
    private readonly height: number,
    private readonly options: (width: number, height: number) => uPlot.Options,
  ) {}

  get instance(): uPlot | null {
    return this.plot;
  }

  set(data: uPlot.AlignedData): void {
    if (this.plot === null) {
      this.plot = new uPlot(this.options(plotWidth(this.el), this.height), data, this.el);
    } else {
      this.plot.setData(data, true);
    }
  }

  resize(): void {
    if (this.plot === null) return;
    const width = plotWidth(this.el);
    if (width !== this.plot.width) this.plot.setSize({ width, height: this.height });
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
