import fc from 'fast-check';
import { CappedList } from './capped-list';

describe('CappedList', () => {
  it('returns the newest entries first and forgets beyond the limit', () => {
    const list = new CappedList<number>(3);
    expect(list.newest(5)).toEqual([]);
    [1, 2, 3, 4, 5].forEach((n) => list.push(n));
    expect(list.newest(10)).toEqual([5, 4, 3]);
    expect(list.newest(2)).toEqual([5, 4]);
    expect(list.newest(0)).toEqual([]);
    expect(list.size).toBe(3);
  });

  it('behaves like unshift-then-truncate for any sequence (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), fc.nat(30), (limit, items, count) => {
        const list = new CappedList<number>(limit);
        const reference: number[] = [];
        for (const item of items) {
          list.push(item);
          reference.unshift(item);
          if (reference.length > limit) reference.length = limit;
        }
        expect(list.newest(count)).toEqual(reference.slice(0, count));
      }),
    );
  });
});
