import { frame } from '../layout';

/** The SLO page (SPEC §9): being written. */
export function sloPage(id: string): void {
  frame(`SLO ${id}`, 'board');
}
