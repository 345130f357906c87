/**
 * The policy sections of `GET /services/{service}`: freezes covering the service (its own or `*`)
 * that have not ended, overrides not expired, and the corrections applying to its SLOs (by SLO, by
 * service or `*`), each with when it applies. Reasons are shown as text.
 */
import { h } from '../dom';
import { relative, windowMs } from '../format';
import { empty } from '../layout';
import type { Correction, Freeze, Override } from '../types';
import { idSection, rowsTable, sloHref, timeEl } from './incident-parts';

const everyService = (service: string): string => (service === '*' ? 'every service (*)' : service);

/** Freezes of the service or of every service whose end is still ahead, active ones first. */
export function freezesSection(service: string, freezes: Freeze[] | Error, now = Date.now()): HTMLElement {
  if (freezes instanceof Error) return idSection('freezes', 'Freezes', h('p', { class: 'error' }, `Could not load the freezes: ${freezes.message}`));
  const mine = freezes
    .filter((f) => (f.service === service || f.service === '*') && Date.parse(f.end) > now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return idSection(
    'freezes',
    'Freezes',
    mine.length === 0
      ? empty('No freeze covers this service now or later.')
      : rowsTable(
          { id: 'freezes-table' },
          ['state', 'applies to', 'start', 'end', 'reason'],
          mine.map((f) => {
            const active = Date.parse(f.start) <= now;
            return h(
              'tr',
              { 'data-freeze': f.id, 'data-active': String(active) },
              h('td', {}, active ? h('strong', { class: 'decision-deny' }, 'active now') : `upcoming (${relative(f.start, now)})`),
              h('td', {}, everyService(f.service)),
              h('td', { class: 'num' }, timeEl(f.start)),
              h('td', { class: 'num' }, timeEl(f.end), ' ', h('span', { class: 'muted' }, `(${relative(f.end, now)})`)),
              h('td', { class: 'reason' }, f.reason),
            );
          }),
        ),
  );
}

/** Overrides of the service that have not expired: while one is active every change passes. */
export function overridesSection(service: string, overrides: Override[] | Error, now = Date.now()): HTMLElement {
  if (overrides instanceof Error) return idSection('overrides', 'Overrides', h('p', { class: 'error' }, `Could not load the overrides: ${overrides.message}`));
  const mine = overrides.filter((o) => (o.service === service || o.service === '*') && Date.parse(o.expiresAt) > now);
  return idSection(
    'overrides',
    'Overrides',
    mine.length === 0
      ? empty('No active override.')
      : h(
          'div',
          {},
          h('p', { class: 'muted' }, 'While an override is active the gate lets every change of the service pass.'),
          rowsTable(
            { id: 'overrides-table' },
            ['expires', 'approved by', 'reason'],
            mine.map((o) =>
              h(
                'tr',
                { 'data-override': o.id },
                h('td', { class: 'num' }, timeEl(o.expiresAt), ' ', h('span', { class: 'muted' }, `(${relative(o.expiresAt, now)})`)),
                h('td', {}, o.approvedBy),
                h('td', { class: 'reason' }, o.reason),
              ),
            ),
          ),
        ),
  );
}

const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** Whether a correction applies now, when it next does, or that it is over. */
function occurrence(c: Correction, now: number): { state: 'active' | 'upcoming' | 'ended'; text: Node } {
  const start = Date.parse(c.start);
  const length = Date.parse(c.end) - start || (windowMs(c.duration) ?? 0);
  let from = start;
  if (c.repeat !== null && now >= start) {
    const period = PERIOD_MS[c.repeat];
    from = start + Math.floor((now - start) / period) * period;
    if (now >= from + length) from += period;
  }
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (now < from) return { state: 'upcoming', text: h('span', {}, c.repeat === null ? 'starts ' : 'next ', timeEl(iso(from)), ` (${relative(iso(from), now)})`) };
  if (now < from + length) return { state: 'active', text: h('strong', {}, 'applies now, until ', timeEl(iso(from + length))) };
  return { state: 'ended', text: h('span', { class: 'muted' }, 'ended ', timeEl(iso(from + length))) };
}

/** Corrections naming one of the service's SLOs, the service, or every service. */
export function correctionsSection(service: string, slos: string[], corrections: Correction[] | Error, now = Date.now()): HTMLElement {
  if (corrections instanceof Error) return idSection('corrections', 'Corrections', h('p', { class: 'error' }, `Could not load the corrections: ${corrections.message}`));
  const ids = new Set(slos);
  const mine = corrections.filter((c) => (c.slo !== null && ids.has(c.slo)) || c.service === service || c.service === '*');
  return idSection(
    'corrections',
    'Corrections',
    mine.length === 0
      ? empty('No correction applies to this service’s SLOs.')
      : h(
          'div',
          {},
          h('p', { class: 'muted' }, 'Events inside a correction are left out of the SLI and the budget.'),
          rowsTable(
            { id: 'corrections-table' },
            ['applies to', 'first start', 'lasts', 'repeat', 'when', 'reason', 'source'],
            mine.map((c) => {
              const when = occurrence(c, now);
              return h(
                'tr',
                { 'data-correction': c.id, 'data-repeat': c.repeat ?? 'once', 'data-active': String(when.state === 'active') },
                h('td', {}, c.slo !== null ? h('span', {}, 'SLO ', h('a', { href: sloHref(c.slo) }, c.slo)) : c.service === '*' ? everyService('*') : `every SLO of ${c.service ?? service}`),
                h('td', { class: 'num' }, timeEl(c.start)),
                h('td', { class: 'num' }, c.duration),
                h('td', {}, c.repeat ?? 'once'),
                h('td', {}, when.text),
                h('td', { class: 'reason' }, c.reason),
                h('td', {}, c.source === 'config' ? 'config file' : `API${c.createdBy ? ` (${c.createdBy})` : ''}`),
              );
            }),
          ),
        ),
  );
}
