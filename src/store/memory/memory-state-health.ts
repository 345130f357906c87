import type { StateHealth } from '../../common/state-health';

/** In memory, state can always be read. */
export const memoryStateHealth: StateHealth = {
  mode: 'memory',
  ping: async () => undefined,
};
