import type { ConfigProblem } from '../app-config';
import type { Field } from './field';
import type { Location } from './types';

export interface Finding extends Location {
  message: string;
}

/**
 * What one mapping step found: refusals (config errors when an SLO needs the document, warnings
 * when no SLO uses it) and notes (always warnings).
 */
export class Report {
  readonly refusals: Finding[] = [];
  readonly notes: Finding[] = [];

  refuse(at: Field | Location, message: string): void {
    this.refusals.push({ ...locate(at), message });
  }

  note(at: Field | Location, message: string): void {
    this.notes.push({ ...locate(at), message });
  }
}

const under = (path: string, base: string): boolean =>
  path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);

const locate = (at: Field | Location): Location => ('location' in at ? at.location : { file: at.file, path: at.path });

/**
 * All findings of a conversion, deduplicated: a problem of an SLI used by two SLOs is one problem
 * naming both.
 */
export class Findings {
  private readonly problems = new Map<string, Finding & { usedBy: Set<string> }>();
  private readonly warnings = new Map<string, string>();

  /** `broken`: places already reported (a `${VAR}` that could not be substituted): nothing more there */
  constructor(private readonly broken: Location[] = []) {}

  problem(finding: Finding, usedBy?: string): void {
    if (this.broken.some((b) => b.file === finding.file && under(finding.path, b.path))) return;
    const key = `${finding.file}\u0000${finding.path}\u0000${finding.message}`;
    let entry = this.problems.get(key);
    if (!entry) {
      entry = { ...finding, usedBy: new Set() };
      this.problems.set(key, entry);
    }
    if (usedBy !== undefined) entry.usedBy.add(usedBy);
  }

  warning(finding: Finding): void {
    const text = `${finding.file}: ${finding.path || '(root)'}: ${finding.message}`;
    this.warnings.set(text, text);
  }

  problemList(): ConfigProblem[] {
    return [...this.problems.values()].map(({ file, path, message, usedBy }) => ({
      file,
      path,
      message: usedBy.size > 0 ? `${message} (used by SLO ${[...usedBy].map((n) => `"${n}"`).join(', ')})` : message,
    }));
  }

  warningList(): string[] {
    return [...this.warnings.values()];
  }
}
