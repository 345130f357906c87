/**
 * Timers that keep their word for any delay. Node's `setTimeout` / `setInterval` hold at most
 * 2^31−1 ms (about 24.8 days): a longer delay is replaced by 1 ms, with only a warning, so a timer
 * armed from a long configured duration fires at once (an `EVALUATION_INTERVAL` of 25d once ran
 * about 860 cycles in 2.5 s). These helpers split a long delay into steps the runtime can hold.
 * Use them wherever a delay comes from the config (or from anything not a constant).
 */

/** The longest delay Node's timers hold. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface SafeTimer {
  /** Stops the timer (idempotent). */
  clear(): void;
  /** Lets the process exit while only this timer is left (like `Timeout.unref`). */
  unref(): SafeTimer;
}

/** Like `setTimeout(callback, delayMs)`, but a delay over {@link MAX_TIMER_DELAY_MS} is waited out in full. */
export function safeTimeout(callback: () => void, delayMs: number): SafeTimer {
  let remaining = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
  let timer: NodeJS.Timeout | null = null;
  let unref = false;
  const arm = (): void => {
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    remaining -= step;
    timer = setTimeout(() => {
      if (remaining > 0) arm();
      else {
        timer = null;
        callback();
      }
    }, step);
    if (unref) timer.unref();
  };
  arm();
  const handle: SafeTimer = {
    clear: () => {
      if (timer) clearTimeout(timer);
      timer = null;
      remaining = 0;
    },
    unref: () => {
      unref = true;
      timer?.unref();
      return handle;
    },
  };
  return handle;
}

/** Like `setInterval(callback, intervalMs)`, but an interval over {@link MAX_TIMER_DELAY_MS} is kept in full. */
export function safeInterval(callback: () => void, intervalMs: number): SafeTimer {
  if (intervalMs <= MAX_TIMER_DELAY_MS) {
    const timer = setInterval(callback, intervalMs);
    const handle: SafeTimer = {
      clear: () => clearInterval(timer),
      unref: () => {
        timer.unref();
        return handle;
      },
    };
    return handle;
  }
  let current: SafeTimer | null = null;
  let stopped = false;
  let unref = false;
  const next = (): void => {
    current = safeTimeout(() => {
      if (stopped) return;
      next();
      callback();
    }, intervalMs);
    if (unref) current.unref();
  };
  next();
  const handle: SafeTimer = {
    clear: () => {
      stopped = true;
      current?.clear();
    },
    unref: () => {
      unref = true;
      current?.unref();
      return handle;
    },
  };
  return handle;
}

