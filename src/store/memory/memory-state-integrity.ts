import type { StateIntegrity, StateLoss } from '../../common/state-integrity';

/** In memory the state lives and dies with the process: nothing is lost behind its back. */
export class MemoryStateIntegrity implements StateIntegrity {
  async check(): Promise<StateLoss | null> {
    return null;
  }

  async acceptLoss(): Promise<StateLoss | null> {
    return null;
  }
}
