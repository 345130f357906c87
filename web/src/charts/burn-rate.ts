/**
 * A burn-rate chart for one alert rule (SPEC §9): its long and short windows' burn rates over the
 * range, the threshold line, and the periods where both were at or above it (the rule held) shaded.
 * Log scale: burn rates span 0.01× to hundreds; values below {@link FLOOR} (zeros included) are
 * drawn at the floor, while the legend shows the real value.
 */
import type uPlot from 'uplot';
import { duration, rate } from '../format';
import type { AlertRule } from '../types';
import { cssColor, drawBand, drawHLine, PlotHolder, timeAxis, timeChartBase, withAlpha } from './plot';
import { firingPeriods, type Period } from './rules';

export const FLOOR = 0.01;
const HEIGHT = 200;

export interface BurnRateData {
  fromMs: number;
  toMs: number;
  timesMs: number[];
  long: Array<number | null>;
  short: Array<number | null>;
}

function clamp(values: Array<number | null>): Array<number | null> {
  return values.map((v) => (v === null ? null : Math.max(FLOOR, v)));
}

function last(values: Array<number | null>): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

function peak(values: Array<number | null>): number | null {
  let out: number | null = null;
  for (const v of values) if (v !== null && (out === null || v > out)) out = v;
  return out;
}

/** "page rule, threshold 14.4×: 1h burn rate now 3.10×, peak 16.0×; 5m now 2.10×, peak 20.0×; held 2 times over 30d (1h 5m in all)" */
export function burnRateSummary(rule: AlertRule, data: BurnRateData, periods: Period[]): string {
  const span = duration((data.toMs - data.fromMs) / 1000);
  const held = periods.reduce((sum, p) => sum + (p.toMs - p.fromMs), 0);
  const firing = periods.length === 0 ? `never above the threshold over ${span}` : `both above the threshold ${periods.length} time${periods.length === 1 ? '' : 's'} over ${span} (${duration(held / 1000)} in all)`;
  return (
    `${rule.severity} rule, threshold ${rate(rule.burnRate)}: ` +
    `${rule.long} burn rate now ${rate(last(data.long))}, peak ${rate(peak(data.long))}; ` +
    `${rule.short} now ${rate(last(data.short))}, peak ${rate(peak(data.short))}; ${firing}`
  );
}

export class BurnRateChart {
  private data: BurnRateData | null = null;
  private periods: Period[] = [];
  private readonly holder: PlotHolder;

  /** `el` gets the plot, `role="img"` and the summary as its label; `note` the summary as text. */
  constructor(
    readonly el: HTMLElement,
    readonly rule: AlertRule,
    private readonly note: HTMLElement,
  ) {
    this.holder = new PlotHolder(el, HEIGHT, (width, height) => this.options(width, height));
  }

  update(data: BurnRateData): void {
    this.data = data;
    this.periods = firingPeriods(data.timesMs, data.long, data.short, this.rule.burnRate, data.toMs);
    const summary = burnRateSummary(this.rule, data, this.periods);
    this.el.setAttribute('aria-label', summary);
    this.el.dataset.firingPeriods = String(this.periods.length);
    this.note.textContent = summary;
    this.holder.set([data.timesMs.map((t) => t / 1000), clamp(data.long), clamp(data.short)]);
  }

  resize(): void {
    this.holder.resize();
  }

  destroy(): void {
    this.holder.destroy();
  }

  private raw(seriesIdx: number, idx: number | null): number | null {
    if (this.data === null || idx === null) return null;
    const values = seriesIdx === 1 ? this.data.long : this.data.short;
    return values[idx] ?? null;
  }

  private options(width: number, height: number): uPlot.Options {
    const longColor = cssColor('--ink', '#1d2330');
    const shortColor = cssColor('--accent', '#1f5fbf');
    const threshold = this.rule.burnRate;
    const { x, ...base } = timeChartBase(width, height, () => this.data);
    return {
      ...base,
      scales: {
        x,
        y: {
          distr: 3,
          log: 10,
          range: (_u, _min, max) => {
            const top = Math.max(threshold * 2, Number.isFinite(max) ? max * 1.2 : 1, 1);
            return [FLOOR, 10 ** Math.ceil(Math.log10(top))];
          },
        },
      },
      axes: [
        timeAxis(),
        {
          ...timeAxis(),
          size: 56,
          // labels on whole powers of ten only (the log scale's other splits stay unlabelled)
          values: (_u, splits) => splits.map((v) => (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? `${+v.toPrecision(3)}×` : '')),
        },
      ],
      series: [
        {},
        { label: `${this.rule.long} window`, stroke: longColor, width: 2, points: { show: false }, value: (_u, _v, si, idx) => rate(this.raw(si, idx)) },
        { label: `${this.rule.short} window`, stroke: shortColor, width: 1.25, dash: [4, 3], points: { show: false }, value: (_u, _v, si, idx) => rate(this.raw(si, idx)) },
      ],
      plugins: [
        {
          hooks: {
            drawClear: (u) => {
              const color = cssColor(this.rule.severity === 'page' ? '--page' : '--ticket', '#c62828');
              for (const p of this.periods) drawBand(u, p.fromMs, p.toMs, { fill: withAlpha(color, 0.15), edge: withAlpha(color, 0.8) });
            },
            draw: (u) => drawHLine(u, threshold, 'y', cssColor('--freeze', '#c62828'), [6, 4], `threshold ${rate(threshold)}`),
          },
        },
      ],
    };
  }
}
