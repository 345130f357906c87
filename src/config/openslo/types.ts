import type { ConfigProblem } from '../app-config';

/** One OpenSLO document found in a config file, as the loader hands it over. */
export interface OpenSloDocument {
  file: string;
  /** path of the document inside its file: `''`, `documents[i]`, `[i]` (a list file) or `documents[k][i]` */
  path: string;
  value: Record<string, unknown>;
  /** paths inside the document (`spec.service`) whose `${VAR}` could not be substituted: already reported */
  brokenPaths?: string[];
}

/** A place in a config file: the file and the path inside it (`documents[2].spec.budgetingMethod`). */
export interface Location {
  file: string;
  path: string;
}

/** Where a field of an emitted native SLO came from, to report native checks at the OpenSLO field. */
export interface Origin extends Location {
  /** added to a native problem reported at this field */
  hint?: string;
}

/** A native `slos[]` entry made from an OpenSLO `SLO` document. */
export interface ConvertedSlo {
  /** the SLO document's file and path: the loader validates `value` there */
  file: string;
  path: string;
  value: NativeSlo;
  /** native field path (`objective`, `sli.source`, `alerting.rules[0].long`) → the OpenSLO field it came from */
  origins: Record<string, Origin>;
}

export interface NativeRule {
  severity: 'page' | 'ticket';
  burnRate: number;
  long: string;
  short: string;
}

export type NativeWindow = string | { calendar: 'week' | 'month' | 'quarter'; timeZone: string };

/** The shape of a config file's `slos[]` entry that the conversion emits (validated by `SloSchema`). */
export interface NativeSlo {
  id: string;
  service: string;
  description?: string;
  objective: number;
  window: NativeWindow;
  sli: { source: 'prometheus'; goodQuery?: string; errorQuery?: string; totalQuery: string };
  alerting?: { rules: NativeRule[] };
}

/** What `slo-engine validate --explain` prints for one OpenSLO SLO. */
export interface OpenSloExplanation {
  /** the SLO document */
  file: string;
  path: string;
  name: string;
  /** the SLO document as read (secrets scrubbed by the loader) */
  document: Record<string, unknown>;
  /** the native SLO it became */
  slo: NativeSlo;
  /** keys of the SLO document and of the documents it uses that the mapping did not use */
  ignored: Location[];
}

/** A Prometheus-compatible `DataSource`, usable as `sources.prometheus` when the native config has none. */
export interface OpenSloPrometheusSource extends Location {
  name: string;
  url: string;
}

export interface OpenSloConversion {
  /** native `slos[]` entries (validated by the loader), with where they came from */
  slos: ConvertedSlo[];
  problems: ConfigProblem[];
  /** `file: path: message` lines, appended to the config's warnings */
  warnings: string[];
  /** one per converted SLO */
  explanations: OpenSloExplanation[];
  prometheusSource?: OpenSloPrometheusSource;
}
