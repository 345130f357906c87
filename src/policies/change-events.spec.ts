import type { DecisionRecord, Override } from './ports/policy-state.repository';
import { deployChangeEvent, overrideChangeEvent } from './change-events';

/** A UTF-16 unit of a surrogate pair standing alone. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const decision = (overrides: Partial<DecisionRecord> = {}): DecisionRecord => ({
  decisionId: 'd-1',
  at: '2026-11-21T10:00:00.000Z',
  service: 'checkout',
  changeType: 'feature',
  version: '1.4.2',
  environment: 'prod',
  requestedBy: 'pipeline-7',
  token: 'ci',
  decision: 'allow',
  zone: 'normal',
  reasons: ['budget healthy'],
  warnings: [],
  slos: [],
  overrideId: null,
  freezeIds: [],
  ...overrides,
});

const override = (overrides: Partial<Override> = {}): Override => ({
  id: 'o-1',
  service: 'checkout',
  reason: 'incident 4411 hotfix',
  expiresAt: '2026-11-21T11:00:00.000Z',
  approvedBy: 'jane.doe',
  createdBy: 'sre',
  createdAt: '2026-11-21T10:00:00.000Z',
  ...overrides,
});

describe('change events of the gate (SPEC §6)', () => {
  it('say what was allowed', () => {
    expect(deployChangeEvent(decision()).summary).toBe('Deploy of checkout 1.4.2 (feature) allowed by the deploy gate');
    expect(overrideChangeEvent(override()).summary).toBe('Error-budget override for checkout until 2026-11-21T11:00:00.000Z: incident 4411 hotfix');
  });

  it.each([0, 1, 2, 3])('cut a long summary to 1,024 characters with …, never inside an emoji (offset %i)', (offset) => {
    // the prefix puts an emoji's two halves across the 1,024th character, whatever the offset
    const reason = `${'r'.repeat(offset)}${'😀'.repeat(1_000)}`;
    const version = `${'v'.repeat(offset)}${'😀'.repeat(1_000)}`;
    for (const summary of [overrideChangeEvent(override({ reason })).summary, deployChangeEvent(decision({ version })).summary]) {
      expect(summary.length).toBeLessThanOrEqual(1_024);
      expect(summary.length).toBeGreaterThanOrEqual(1_022);
      expect(summary.endsWith('…')).toBe(true);
      expect(LONE_SURROGATE.test(summary)).toBe(false);
      expect(() => encodeURIComponent(summary)).not.toThrow();
    }
  });
});
