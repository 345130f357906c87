/**
 * OpenSLO v1 import (SPEC §3 "OpenSLO v1"): OpenSLO documents found in the config files become
 * native SLOs. Pure TypeScript: no framework, no I/O.
 */
export { isOpenSloDocument } from './documents';
export { convertOpenSloDocuments, relocateProblem } from './convert';
export { openSloSecrets } from './data-sources';
export { formatExplanation } from './explain';
export type {
  ConvertedSlo,
  NativeSlo,
  OpenSloConversion,
  OpenSloDocument,
  OpenSloExplanation,
  OpenSloPrometheusSource,
} from './types';
export { applyPrometheusSource, collectOpenSlo, scrubExplanations } from './loader-support';
