import { AppConfig, SloConfig } from './app-config';

export type ConfigListener = (next: AppConfig, previous: AppConfig) => void | Promise<void>;

/**
 * The configuration in force. Replaced as a whole on SIGHUP reload, so every reader sees either
 * the old or the new config, never a mix. Listeners (event store layouts, scheduler interval) are
 * told of each replacement.
 */
export class ConfigHolder {
  private config: AppConfig;
  private slosById: Map<string, SloConfig>;
  private readonly listeners: ConfigListener[] = [];

  constructor(
    initial: AppConfig,
    /** how to read the config again on reload; throws ConfigError when the new one is invalid */
    readonly reload: () => AppConfig,
  ) {
    this.config = initial;
    this.slosById = indexSlos(initial);
  }

  get current(): AppConfig {
    return this.config;
  }

  slo(id: string): SloConfig | undefined {
    return this.slosById.get(id);
  }

  onReplace(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  async replace(next: AppConfig): Promise<void> {
    const previous = this.config;
    this.config = next;
    this.slosById = indexSlos(next);
    for (const listener of this.listeners) await listener(next, previous);
  }
}

function indexSlos(config: AppConfig): Map<string, SloConfig> {
  return new Map(config.slos.map((slo) => [slo.id, slo]));
}
