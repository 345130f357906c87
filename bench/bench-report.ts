import { writeFileSync } from 'node:fs';

/** One figure of SPEC §11: measured value, its bar, pass or fail. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  bar: string;
  pass: boolean;
}

export function atMost(name: string, value: number, unit: string, limit: number): Figure {
  return { name, value: round(value), unit, bar: `<= ${limit} ${unit}`, pass: value <= limit };
}

export function atLeast(name: string, value: number, unit: string, limit: number): Figure {
  return { name, value: round(value), unit, bar: `>= ${limit} ${unit}`, pass: value >= limit };
}

/** A figure SPEC §11 sets no bar for, printed beside the others (never a failure). */
export function reported(name: string, value: number, unit: string): Figure {
  return { name, value: round(value), unit, bar: 'reported', pass: true };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function printFigures(figures: Figure[]): void {
  const rows = figures.map((f) => [f.name, `${f.value} ${f.unit}`, f.bar, f.pass ? 'pass' : 'FAIL']);
  const header = ['figure', 'measured', 'bar', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

export function writeFiguresJson(file: string, figures: Figure[]): void {
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
}
