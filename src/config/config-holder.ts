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
  private slosByService: Map<string, SloConfig[]>;
  private readonly listeners: ConfigListener[] = [];

  constructor(
    initial: AppConfig,
    /** how to read the config again on reload; throws ConfigError when the new one is invalid */
    readonly reload: () => AppConfig,
  ) {
    this.config = initial;
    this.slosById = indexSlos(initial);
    this.slosByService = groupByService(initial);
  }

  get current(): AppConfig {
    return this.config;
  }

  slo(id: string): SloConfig | undefined {
    return this.slosById.get(id);
  }

  /** the SLOs of a service, in config order; empty for an unknown service */
  slosOfService(service: string): readonly SloConfig[] {
    return this.slosByService.get(service) ?? [];
  }

  onReplace(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  async replace(next: AppConfig): Promise<void> {
    const previous = this.config;
    this.config = next;
    this.slosById = indexSlos(next);
    this.slosByService = groupByService(next);
    for (const listener of this.listeners) await listener(next, previous);
  }
}

function indexSlos(config: AppConfig): Map<string, SloConfig> {
  return new Map(config.slos.map((slo) => [slo.id, slo]));
}

function groupByService(config: AppConfig): Map<string, SloConfig[]> {
  const groups = new Map<string, SloConfig[]>();
  for (const slo of config.slos) {
    const group = groups.get(slo.service);
    if (group) group.push(slo);
    else groups.set(slo.service, [slo]);
  }
  return groups;
}
