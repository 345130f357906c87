import type { ConfigProblem } from './app-config';

/**
 * OpenSLO v1 documents (SPEC §3) found in config files. Not supported yet: every document is
 * refused with a clear problem. The place to extend is {@link convertOpenSloDocuments}: it receives
 * all OpenSLO documents of all files at once (an `SLO` references `SLI`, `Service`, `AlertPolicy`…
 * documents that may live elsewhere) and returns native SLO objects in the shape of the config
 * file's `slos[]` entries, which the loader then validates like any other SLO.
 */
export interface OpenSloDocument {
  file: string;
  /** path of the document inside its file: `''` for a single-document file, else `documents[i]` */
  path: string;
  value: Record<string, unknown>;
}

export interface OpenSloConversion {
  /** native `slos[]` entries (validated by the loader), with where they came from */
  slos: Array<{ file: string; path: string; value: unknown }>;
  problems: ConfigProblem[];
}

export function isOpenSloDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const apiVersion = (value as Record<string, unknown>).apiVersion;
  return typeof apiVersion === 'string' && apiVersion.toLowerCase().startsWith('openslo/');
}

export function convertOpenSloDocuments(docs: OpenSloDocument[]): OpenSloConversion {
  const problems = docs.map((doc): ConfigProblem => {
    const kind = typeof doc.value.kind === 'string' ? doc.value.kind : 'unknown kind';
    const metadata = doc.value.metadata as Record<string, unknown> | undefined;
    const name = metadata && typeof metadata.name === 'string' ? ` "${metadata.name}"` : '';
    return {
      file: doc.file,
      path: doc.path,
      message: `OpenSLO documents are not supported yet (${String(doc.value.apiVersion)} ${kind}${name})`,
    };
  });
  return { slos: [], problems };
}
