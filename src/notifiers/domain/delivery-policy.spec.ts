import fc from 'fast-check';
import { DELIVERY_MAX_AGE_MS, deliveryExpired, RETRY_AFTER_CAP_MS, RETRY_BASE_MS, RETRY_CAP_MS, retryDelayMs } from './delivery-policy';

describe('retryDelayMs', () => {
  it.each([
    [1, 1, RETRY_BASE_MS],
    [2, 1, 2 * RETRY_BASE_MS],
    [3, 1, 4 * RETRY_BASE_MS],
    [6, 1, 32 * RETRY_BASE_MS],
    [7, 1, RETRY_CAP_MS],
    [50, 1, RETRY_CAP_MS],
    [1, 0, RETRY_BASE_MS / 2],
    [7, 0, RETRY_CAP_MS / 2],
  ])('after %i failed attempts with random %p waits %i ms', (attempts, random, expected) => {
    // random = 1 stands for the top of [0, 1)
    expect(retryDelayMs(attempts, random)).toBe(expected);
  });

  it("honours a receiver's Retry-After as a lower bound, capped at 15 minutes", () => {
    expect(retryDelayMs(1, 0, 7_000)).toBe(7_000);
    expect(retryDelayMs(7, 1, 7_000)).toBe(RETRY_CAP_MS);
    expect(retryDelayMs(1, 0, 10 * 3_600_000)).toBe(RETRY_AFTER_CAP_MS);
    expect(retryDelayMs(1, 0, 0)).toBe(RETRY_BASE_MS / 2);
  });

  it('property: the delay is within [½, 1] of the capped backoff and never shrinks with more attempts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, random) => {
        const full = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
        const delay = retryDelayMs(attempts, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(full / 2));
        expect(delay).toBeLessThanOrEqual(full);
        expect(retryDelayMs(attempts + 1, random)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });
});

describe('deliveryExpired', () => {
  it('gives up exactly 24 h after recording', () => {
    expect(deliveryExpired(0, DELIVERY_MAX_AGE_MS - 1)).toBe(false);
    expect(deliveryExpired(0, DELIVERY_MAX_AGE_MS)).toBe(true);
  });
});
