import fc from 'fast-check';
import { truncate } from './truncate';

/** A UTF-16 unit of a surrogate pair standing alone. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('truncate', () => {
  it('keeps a short text, cuts a long one with …', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 3)).toBe('ab…');
    expect(truncate('abcd', 1)).toBe('…');
    expect(truncate('abcd', 0)).toBe('');
  });

  it('never splits a surrogate pair at the cut', () => {
    // "x😀" is 3 units: cut to 3 with the ellipsis, the emoji does not fit whole and is left out
    expect(truncate('x😀yz', 3)).toBe('x…');
    expect(truncate('x😀yz', 4)).toBe('x😀…');
    expect(truncate('😀😀😀', 2)).toBe('…');
  });

  it('holds for any text and any limit: within the limit, a prefix, no half pair made', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 0, max: 70 }), (text, max) => {
        const cut = truncate(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(cut)).toBe(false);
        if (text.length <= max) expect(cut).toBe(text);
        else if (max > 0) {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          expect(cut.length).toBeGreaterThanOrEqual(max - 1); // at most one unit given up to keep a pair whole
        }
      }),
    );
  });
});
