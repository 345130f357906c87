import { Test, TestingModule } from '@nestjs/testing';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../src/config/app-config';
import { ConfigHolder } from '../../src/config/config-holder';
import { MAX_TIMER_DELAY_MS, safeInterval, safeTimeout } from '../../src/common/safe-timer';
import { EvaluationCycle } from '../../src/cycle/evaluation-cycle';
import { EvaluationScheduler } from '../../src/cycle/evaluation.scheduler';
import { Readiness } from '../../src/cycle/readiness';
import { loadConfig } from '../../src/config/config.loader';
import { removeTempDirs, sloYaml, tempFile } from '../fixtures/config/helpers';

/**
 * Node's timers hold at most 2^31−1 ms (~24.8 days); a longer delay fires after 1 ms. Jest's fake
 * timers behave the same way, so these tests see what production would, without waiting: the
 * scheduler never fires early, whatever its interval (the config refuses more than 1h, and the
 * timers would hold more), and the timer helpers wait out a delay of any length.
 */
const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;

afterAll(removeTempDirs);
afterEach(() => {
  jest.useRealTimers();
});

describe('safeTimeout / safeInterval', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  it('a plain setTimeout of 25 days fires at once (what the helpers are for)', () => {
    const fired = jest.fn();
    setTimeout(fired, 25 * DAY);
    jest.advanceTimersByTime(10);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('safeTimeout waits out 25 days, not a millisecond less', () => {
    const fired = jest.fn();
    safeTimeout(fired, 25 * DAY);
    jest.advanceTimersByTime(MAX_TIMER_DELAY_MS + 1);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(25 * DAY - MAX_TIMER_DELAY_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(100 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('safeTimeout can be cleared in any of its steps', () => {
    const fired = jest.fn();
    const timer = safeTimeout(fired, 60 * DAY);
    jest.advanceTimersByTime(30 * DAY);
    timer.clear();
    jest.advanceTimersByTime(60 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });

  it('safeInterval of 30 days fires every 30 days; a short one is a plain interval', () => {
    const long = jest.fn();
    const timer = safeInterval(long, 30 * DAY);
    jest.advanceTimersByTime(30 * DAY - 1);
    expect(long).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(long).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(60 * DAY);
    expect(long).toHaveBeenCalledTimes(3);
    timer.clear();
    jest.advanceTimersByTime(60 * DAY);
    expect(long).toHaveBeenCalledTimes(3);

    const short = jest.fn();
    safeInterval(short, SECOND).clear();
    const running = safeInterval(short, SECOND);
    jest.advanceTimersByTime(5 * SECOND);
    expect(short).toHaveBeenCalledTimes(5);
    running.clear();
  });
});

describe('the evaluation scheduler', () => {
  let moduleRef: TestingModule;
  let cycles: number;

  /** The scheduler on its own, with a cycle that only counts, at `intervalMs`. */
  async function startScheduler(config: AppConfig): Promise<void> {
    cycles = 0;
    const cycle = { runCycle: async () => (cycles++, { error: undefined }) };
    moduleRef = await Test.createTestingModule({
      providers: [
        EvaluationScheduler,
        Readiness,
        SchedulerRegistry,
        { provide: EvaluationCycle, useValue: cycle },
        { provide: ConfigHolder, useValue: new ConfigHolder(config, () => config) },
      ],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init(); // the first cycle at start-up
  }

  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(async () => {
    await moduleRef?.close();
  });

  const config = (env: Record<string, string> = {}): AppConfig => loadConfig({ path: tempFile(`slos:\n${sloYaml('a')}`), env });

  it('runs a cycle at start-up, then one per EVALUATION_INTERVAL=1h, never earlier', async () => {
    await startScheduler(config({ EVALUATION_INTERVAL: '1h' }));
    expect(cycles).toBe(1);
    jest.advanceTimersByTime(HOUR - 1);
    expect(cycles).toBe(1);
    jest.advanceTimersByTime(1);
    expect(cycles).toBe(2);
    jest.advanceTimersByTime(3 * HOUR);
    expect(cycles).toBe(5);
  });

  it('holds an interval longer than a timer can (25 days, past the config limit): no cycle early', async () => {
    const base = config();
    await startScheduler({ ...base, server: { ...base.server, evaluationInterval: '25d', evaluationIntervalMs: 25 * DAY } });
    expect(cycles).toBe(1);
    jest.advanceTimersByTime(SECOND); // a plain setInterval would have run ~1,000 cycles by now
    expect(cycles).toBe(1);
    jest.advanceTimersByTime(25 * DAY - SECOND);
    expect(cycles).toBe(2);
    jest.advanceTimersByTime(25 * DAY);
    expect(cycles).toBe(3);
  });
});
