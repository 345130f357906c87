/**
 * The burn-down chart (SPEC §9): the remaining error budget (%) over the range, a 0% line, and on
 * the same time axis deploys (vertical lines labelled with the version), freeze windows (shaded),
 * corrections (hatched) and incidents (bands labelled with the incident id), all drawn on the
 * canvas by a uPlot plugin.
 */
import type uPlot from 'uplot';
import { duration, percent } from '../format';
import { countByKind, MARKER_KINDS, MARKER_WORDS, type Marker, type MarkerKind } from './markers';
import { cssColor, drawBand, drawHLine, drawVLine, LabelRows, PlotHolder, timeAxis, timeChartBase, withAlpha, xPos, type BandStyle } from './plot';

export interface BurnDownData {
  fromMs: number;
  toMs: number;
  /** instants (ms) and the remaining budget (fraction, null where unknown) at each */
  timesMs: number[];
  remaining: Array<number | null>;
  markers: Marker[];
}

const HEIGHT = 300;

/** Colours of the marker kinds on the canvas (the legend's swatches use the same, from board.css). */
export function markerColors(): Record<MarkerKind, string> {
  return {
    deploy: cssColor('--accent', '#1f5fbf'),
    freeze: cssColor('--freeze', '#c62828'),
    correction: cssColor('--correction', '#6a1b9a'),
    incident: cssColor('--caution', '#b26a00'),
  };
}

function bandStyle(kind: Exclude<MarkerKind, 'deploy'>, color: string): BandStyle {
  switch (kind) {
    case 'freeze':
      return { fill: withAlpha(color, 0.1), edge: withAlpha(color, 0.8) };
    case 'correction':
      return { fill: withAlpha(color, 0.05), edge: withAlpha(color, 0.7), hatch: withAlpha(color, 0.3) };
    case 'incident':
      return { fill: withAlpha(color, 0.2), edge: color };
  }
}

/** "remaining budget from 100% to 41% over 30d; 2 deploys, 1 freeze, …" */
export function burnDownSummary(data: BurnDownData): string {
  const known = data.remaining.filter((v): v is number => v !== null);
  const span = duration((data.toMs - data.fromMs) / 1000);
  const line = known.length === 0 ? `no remaining-budget data over ${span}` : `remaining budget from ${percent(known[0], 0)} to ${percent(known[known.length - 1], 0)} over ${span}`;
  const counts = countByKind(data.markers);
  const parts = MARKER_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${MARKER_WORDS[k][counts[k] === 1 ? 0 : 1]}`);
  return parts.length === 0 ? `${line}; no deploys, freezes, corrections or incidents` : `${line}; ${parts.join(', ')}`;
}

export class BurnDownChart {
  private data: BurnDownData | null = null;
  private readonly holder: PlotHolder;

  constructor(readonly el: HTMLElement) {
    this.holder = new PlotHolder(el, HEIGHT, (width, height) => this.options(width, height));
  }

  update(data: BurnDownData): void {
    this.data = data;
    this.el.setAttribute('aria-label', burnDownSummary(data));
    this.el.dataset.points = String(data.timesMs.length);
    this.el.dataset.from = new Date(data.fromMs).toISOString();
    this.el.dataset.to = new Date(data.toMs).toISOString();
    this.holder.set([data.timesMs.map((t) => t / 1000), data.remaining.map((v) => (v === null ? null : v * 100))]);
  }

  resize(): void {
    this.holder.resize();
  }

  destroy(): void {
    this.holder.destroy();
  }

  private options(width: number, height: number): uPlot.Options {
    const line = cssColor('--accent', '#1f5fbf');
    const { x, ...base } = timeChartBase(width, height, () => this.data);
    return {
      ...base,
      scales: {
        x,
        y: {
          range: (_u, min, max) => {
            const lo = Number.isFinite(min) ? Math.min(0, min) : 0;
            const hi = Number.isFinite(max) ? Math.max(100, max) : 100;
            // whole tens below 0, a little room above 100%
            return [lo < 0 ? Math.floor(lo / 10) * 10 - 5 : -5, hi > 100 ? Math.ceil(hi / 10) * 10 : 105];
          },
        },
      },
      axes: [timeAxis(), { ...timeAxis(), size: 56, values: (_u, splits) => splits.map((v) => `${v}%`) }],
      series: [
        {},
        {
          label: 'remaining budget',
          stroke: line,
          width: 2,
          fill: withAlpha(line, 0.08),
          points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`),
        },
      ],
      plugins: [{ hooks: { drawClear: (u) => this.drawBands(u), draw: (u) => this.drawOnTop(u) } }],
    };
  }

  /** Bands go under the grid and the line (drawClear runs first in a redraw). */
  private drawBands(u: uPlot): void {
    const markers = this.data?.markers ?? [];
    const colors = markerColors();
    for (const kind of ['freeze', 'correction', 'incident'] as const) {
      const style = bandStyle(kind, colors[kind]);
      for (const m of markers) if (m.kind === kind) drawBand(u, m.startMs, m.endMs, style);
    }
  }

  /** The 0% line, deploy lines, and the labels (versions, incident ids) over everything. */
  private drawOnTop(u: uPlot): void {
    const markers = this.data?.markers ?? [];
    const colors = markerColors();
    drawHLine(u, 0, 'y', cssColor('--exhausted', '#4a0c0c'), [6, 4], '0% — budget spent');
    for (const m of markers) if (m.kind === 'deploy') drawVLine(u, m.startMs, colors.deploy);
    const rows = new LabelRows(u);
    for (const m of markers) {
      if (m.kind === 'deploy' || m.kind === 'incident') rows.place(m.label, xPos(u, m.startMs), m.kind === 'deploy' ? colors.deploy : colors.incident);
    }
  }
}
