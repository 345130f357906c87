/** Reads shared by several pages: every budget object (all pages of the list) and the burn-down lines. */
import { get, query } from './api';
import type { Budget, Burndown, SloPage } from './types';

export async function allBudgets(service?: string): Promise<Budget[]> {
  const out: Budget[] = [];
  let cursor: string | null = null;
  do {
    const page: SloPage = await get<SloPage>(`/v1/slos${query({ service, cursor: cursor ?? undefined })}`);
    out.push(...page.slos);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** The small burn-down line of each SLO (empty when the API cannot give it: the list still shows). */
export async function burndowns(points: number, service?: string): Promise<Map<string, Burndown['slos'][number]>> {
  try {
    const body = await get<Burndown>(`/v1/burndown${query({ points, service })}`);
    return new Map(body.slos.map((s) => [s.slo, s]));
  } catch {
    return new Map();
  }
}

/** SPEC §9: fewer events than one error's worth of budget — the numbers mean little yet. */
export function tooFewEvents(b: Budget): boolean {
  return b.total !== null && (1 - b.objective / 100) * b.total < 1;
}

export function worstFirst<T>(items: T[], key: (item: T) => number): T[] {
  return [...items].sort((a, b) => key(a) - key(b));
}
