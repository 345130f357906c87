import fc from 'fast-check';
import { durationMs, formatDuration, parseDuration } from './duration';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;

describe('parseDuration / durationMs', () => {
  it.each<[string, number]>([
    ['10s', 10 * S],
    ['5m', 5 * M],
    ['1h', H],
    ['6h', 6 * H],
    ['1d', D],
    ['3d', 3 * D],
    ['30d', 30 * D],
    ['4w', 28 * D],
    ['1h30m', 90 * M],
    ['500ms', 500],
    ['1d12h', 36 * H],
    ['60m', H],
    ['1y', 365 * D],
  ])('%p is %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', '0s', '0m0s', '5', 'm5', '5x', '1.5h', '-1h', ' 5m', '5m ', '5 m', '1h-30m', 'h', '5M', '5min'])(
    '%p is invalid',
    (text) => {
      expect(parseDuration(text)).toBeNull();
      expect(() => durationMs(text)).toThrow(/invalid duration/);
    },
  );

  it('rejects non-strings and absurdly long input', () => {
    expect(parseDuration(undefined as unknown as string)).toBeNull();
    expect(parseDuration(3600 as unknown as string)).toBeNull();
    expect(parseDuration('1s'.repeat(20))).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [H, '1h'],
    [5 * M, '5m'],
    [10 * S, '10s'],
    [D, '1d'],
    [30 * D, '30d'],
    [28 * D, '4w'],
    [W, '1w'],
    [90 * M, '90m'],
    [500, '500ms'],
    [1_500, '1500ms'],
    [36 * H, '36h'],
  ])('%p ms → %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('properties', () => {
  const unit = fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w');
  const part = fc.tuple(fc.integer({ min: 0, max: 9999 }), unit).map(([n, u]) => `${n}${u}`);
  const duration = fc
    .array(part, { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join(''))
    .filter((text) => parseDuration(text) !== null);

  it('formatDuration(parseDuration(x)) parses back to the same milliseconds', () => {
    fc.assert(
      fc.property(duration, (text) => {
        const ms = parseDuration(text) as number;
        const formatted = formatDuration(ms);
        expect(parseDuration(formatted)).toBe(ms);
        // single-unit rendering, never longer than plain milliseconds
        expect(formatted).toMatch(/^\d+(ms|s|m|h|d|w)$/);
      }),
    );
  });

  it('any positive whole number of milliseconds round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e15 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
