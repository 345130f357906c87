import { frame } from '../layout';

/** The service page (SPEC §9): being written. */
export function servicePage(service: string): void {
  frame(`Service ${service}`, 'board');
}
