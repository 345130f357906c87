import fc from 'fast-check';
import { EVENT_STORE, type EventStore } from '../../src/sources/events/event-store';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §12 last row: any request body, header or query string gets a 4xx with details (or a 2xx
 * when it happens to be valid), never a 500, and a refused request writes nothing. Random and
 * hostile input at every endpoint of the OpenAPI document (so new endpoints are fuzzed too): deep
 * nesting, huge strings, unicode with lone surrogates, wrong types, `__proto__`/`constructor`
 * keys, NaN/Infinity/huge numbers, duplicate query keys, odd content types, bad tokens.
 * Bounded: at most 200 runs per property (FUZZ_RUNS lowers or raises it; FUZZ_SEED replays).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns: Math.min(numRuns, RUNS), ...(SEED === undefined ? {} : { seed: SEED }) });

const EVENTS_SLOS = ['checkout-availability', 'checkout-latency', 'search-availability'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

interface Operation {
  method: Method;
  path: string; // with {param} placeholders
}

let t: TestApp;
let operations: Operation[];

beforeAll(async () => {
  t = await startTestApp(testConfig());
  await t.evaluate(); // ready: /readyz answers 200, budgets have numbers
  const doc = (await t.request({ url: '/docs-json' })).body as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .map((m) => m.toUpperCase())
      .filter((m): m is Method => (METHODS as readonly string[]).includes(m))
      .map((method) => ({ method, path })),
  );
  operations.push({ method: 'GET', path: '/' }, { method: 'GET', path: '/docs' });
  expect(operations.length).toBeGreaterThan(15);
});

afterAll(async () => {
  await t.close();
});

// ---------------------------------------------------------------- arbitraries

const NASTY_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '\u0000',
  'é',
  '💥',
  '\u202E',
  '*',
  'checkout',
  'checkout-availability',
  'search',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '1e400',
  '0x10',
  'null',
  'true',
  '[]',
  '{}',
  '2026-11-31T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2026-11-21T10:00:00Z',
  '2026-11-21T11:00:00Z',
  '2026-11-22T10:00:00+01:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '5m',
  '1y',
  '0s',
  '99999999999999d',
  '%',
  '%zz',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 0.5, 1.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 10_001),
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('events', 'slo', 'good', 'total', 'timestamp', 'service', 'start', 'end', 'reason', 'expiresAt', 'approvedBy', 'until', 'changeType', 'version'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', ''),
  fc.string({ maxLength: 10 }),
);

const { json: hostileJson } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('json'), { maxKeys: 4 }),
  ),
}));

/** JSON text that JSON.stringify cannot write: NaN, Infinity, huge exponents, deep nesting, prototype keys, broken syntax. */
const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'NaN',
    '{"events":[{"slo":"checkout-availability","good":NaN,"total":Infinity}]}',
    '{"events":[{"slo":"checkout-availability","good":1e400,"total":1e400}]}',
    '{"events":[{"slo":"checkout-availability","good":-0,"total":0.0000000000000000001}]}',
    '{"__proto__":{"events":[]}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"events":[{"slo":"checkout-availability","good":1,"total":1,"__proto__":{"good":5}}]}',
    '{"events":[{"slo":"checkout-availability","good":1,"total":1}],"events":[]}',
    '{"service":"checkout","service":"search"}',
    '[1,]',
    '{"a":1',
    '"\\ud800"',
    '"\\u0000"',
    '\uFEFF{"service":"checkout"}',
    '',
    ' ',
    'null',
    'true',
    '123',
    '"checkout"',
  ),
  fc.integer({ min: 20, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 20, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 30, max: 40 }).map((depth) => `{"events":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
  hostileJson.map((value) => JSON.stringify(value) ?? 'undefined'),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  '',
  '*/*',
  'application/json, text/plain',
  ';;;',
];

/** Printable ASCII and Latin-1: what a header value can carry on the wire. */
const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 300 }),
  fc.constantFrom('', ' ', 'x'.repeat(5_000)),
);

const authorization: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(`Bearer ${TOKENS.admin}`) },
  { weight: 1, arbitrary: fc.constantFrom(`Bearer ${TOKENS.ci}`, `Bearer ${TOKENS.ingest}`, `Bearer ${TOKENS.reader}`, `bearer ${TOKENS.admin}`) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `Basic ${TOKENS.admin}`, `Bearer ${TOKENS.admin} extra`, `Bearer ${'t'.repeat(5_000)}`) },
  { weight: 1, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
);

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates included: they become U+FFFD). */
const encode = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const pathParam: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((s) => encode(s) || 'x') },
  { weight: 1, arbitrary: fc.constantFrom('%zz', '%', '%E0%A4%A', 'checkout', 'checkout-availability', 'a'.repeat(256), 'a'.repeat(257), '..', '.') },
);

const queryString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('limit', 'cursor', 'service', 'from', 'to', 'step', 'state', 'window', '__proto__', 'constructor', 'limit[]', 'a[b]'), fc.string({ maxLength: 8 })),
        fc.oneof(hostileString, fc.constantFrom('1', '1000', '1001', '0', '-1', '1.5', '999999999999', '2026-11-20T10:00:00Z', '5m', '1y')),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
  fc.constantFrom('limit=1&limit=2', 'from&to&step', '=&=&', '%zz=%zz', 'a=%', '&&&', '?', 'step=1ms', 'from=0000-01-01T00:00:00Z&step=1y', 'from=0000-01-01T00:00:00Z&step=2y', 'step=9007199254740991ms'),
);

interface HostileRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

function request(op: Operation, param: string, query: string, body: string | undefined, contentType: string, auth: string | undefined, extra: Record<string, string>): HostileRequest {
  const path = op.path.replace(/\{[^}]+\}/g, param);
  const headers: Record<string, string> = { ...extra };
  if (auth !== undefined) headers.authorization = auth;
  if (body !== undefined && contentType !== '') headers['content-type'] = contentType;
  return { method: op.method, url: query ? `${path}?${query}` : path, headers, ...(body !== undefined ? { payload: body } : {}) };
}

const IMPOSSIBLE_DATES = ['2026-11-31T00:00:00Z', '2026-02-29T10:00:00Z', '2026-13-01T00:00:00Z', '2026-11-21T24:00:00Z', '2026-11-21T10:60:00Z', '2026-04-31T10:00:00+02:00'];
const DATE_FIELDS = new Set(['timestamp', 'start', 'end', 'expiresAt', 'until']);

/** Paths (`events[0].timestamp`, `start`) of the impossible dates in a request body. */
function impossibleDatePaths(body: unknown): string[] {
  const found: string[] = [];
  if (typeof body !== 'object' || body === null) return found;
  for (const [key, value] of Object.entries(body)) {
    if (DATE_FIELDS.has(key) && typeof value === 'string' && IMPOSSIBLE_DATES.includes(value)) found.push(key);
  }
  const events = (body as { events?: unknown }).events;
  if (Array.isArray(events)) {
    events.forEach((event, i) => {
      const ts = (event as { timestamp?: unknown } | null)?.timestamp;
      if (typeof ts === 'string' && IMPOSSIBLE_DATES.includes(ts)) found.push(`events[${i}].timestamp`);
    });
  }
  return found;
}

// ---------------------------------------------------------------- what must hold

interface Snapshot {
  counts: string;
  lists: string;
}

async function snapshot(): Promise<Snapshot> {
  const store = t.app.get<EventStore>(EVENT_STORE);
  const now = t.clock.now();
  const counts = JSON.stringify(EVENTS_SLOS.map((slo) => store.windowCounts(slo, now + 600_000, [60 * 86_400_000])));
  const lists = await Promise.all(
    ['/v1/freezes', '/v1/overrides', '/v1/silences', '/v1/deploy-gate/decisions?limit=1000', '/v1/audit?limit=1000'].map(async (url) => {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKENS.admin}` } });
      return `${res.statusCode} ${res.body}`;
    }),
  );
  return { counts, lists: lists.join('\n') };
}

/** The statuses the API answers (SPEC §5): anything else (a 414, a 405, a 5xx) is a finding. */
const STATUSES = new Set([200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 415]);

/** Nesting depth of JSON text (the oracle: written apart from the service's own scan). */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

export interface Outcome {
  status: number;
  body: { statusCode: number; error: string; message: string; details: Array<{ path: string; message: string }> } | null;
}

/**
 * Sends the request and checks the SPEC's promises: no 5xx and no status the API does not answer;
 * errors in the shape, 400s with details; a body nested deeper than 32 levels never accepted; a
 * refusal writes nothing (no events stored, no freeze, override, silence, decision or audit entry).
 */
async function check(req: HostileRequest): Promise<Outcome> {
  const before = await snapshot();
  const res = await t.app.inject({ method: req.method, url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
  const where = `${req.method} ${req.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
  if (!STATUSES.has(res.statusCode)) throw new Error(`unexpected status: ${where}`);
  if (res.statusCode < 300 && req.payload !== undefined && req.method !== 'GET' && req.method !== 'HEAD' && depthOf(req.payload) > 32) {
    throw new Error(`a body nested ${depthOf(req.payload)} levels deep was accepted: ${where}`);
  }
  if (res.statusCode >= 400) {
    if (req.method !== 'HEAD') {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        throw new Error(`error not JSON: ${where}`);
      }
      const b = body as { statusCode?: unknown; error?: unknown; message?: unknown; details?: unknown };
      const shaped =
        b !== null &&
        typeof b === 'object' &&
        Object.keys(b).sort().join() === 'details,error,message,statusCode' &&
        b.statusCode === res.statusCode &&
        typeof b.error === 'string' &&
        typeof b.message === 'string' &&
        Array.isArray(b.details) &&
        b.details.every((d: unknown) => typeof d === 'object' && d !== null && typeof (d as { path?: unknown }).path === 'string' && typeof (d as { message?: unknown }).message === 'string');
      if (!shaped) throw new Error(`not the error shape: ${where}`);
      if (res.statusCode === 400 && (b.details as unknown[]).length === 0) throw new Error(`400 without details: ${where}`);
    }
    const after = await snapshot();
    if (after.counts !== before.counts) throw new Error(`refused request stored events: ${where}`);
    if (after.lists !== before.lists) throw new Error(`refused request changed state: ${where}`);
  }
  let body: Outcome['body'] = null;
  try {
    body = res.statusCode >= 400 ? JSON.parse(res.body) : null;
  } catch {
    /* HEAD */
  }
  return { status: res.statusCode, body };
}

// ---------------------------------------------------------------- properties

const op = () => fc.constantFrom(...operations);

describe('HTTP fuzzing (SPEC §12: any body, header or query string → 4xx with details, never 5xx, nothing stored)', () => {
  it('hostile bodies, headers, query strings and path parameters at every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        op(),
        fc.option(fc.constantFrom(...METHODS), { freq: 8 }),
        pathParam,
        fc.option(queryString, { freq: 2 }),
        fc.option(fc.oneof(rawText, hostileJson.map((v) => JSON.stringify(v) ?? 'null')), { freq: 4 }),
        fc.constantFrom(...CONTENT_TYPES),
        authorization,
        fc.option(headerValue, { freq: 2 }),
        async (operation, otherMethod, param, query, body, contentType, auth, idempotencyKey) => {
          const chosen = otherMethod === null ? operation : { ...operation, method: otherMethod };
          await check(request(chosen, param, query ?? '', body ?? undefined, contentType, auth, idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }));
        },
      ),
      params(200),
    );
  });

  it('near-valid bodies at the writing endpoints (one field or more hostile)', async () => {
    const extraKeys = fc.option(fc.dictionary(hostileKey, hostileJson, { minKeys: 1, maxKeys: 2 }), { freq: 4 });
    // timestamps: mostly real and in range, some impossible (`2026-11-31`), some hostile
    const when = (valid: string) =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constantFrom(...IMPOSSIBLE_DATES) }, { weight: 1, arbitrary: hostileJson });
    const maybe = <T>(valid: T) => fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: hostileJson });
    const event = fc.record({
      slo: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...EVENTS_SLOS) }, { weight: 1, arbitrary: fc.constant('nope') }, { weight: 1, arbitrary: hostileJson }),
      good: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: hostileJson }),
      total: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 10, max: 20 }) }, { weight: 1, arbitrary: hostileJson }),
      timestamp: fc.option(when('2026-11-21T09:59:00Z'), { nil: undefined }),
    });
    const bodies: fc.Arbitrary<[string, unknown]> = fc.oneof(
      fc.tuple(fc.constant('/v1/events'), fc.record({ events: fc.oneof(fc.array(event, { minLength: 1, maxLength: 4 }), hostileJson) })),
      fc.tuple(fc.constant('/v1/deploy-gate'), fc.record({ service: maybe('checkout'), changeType: fc.option(maybe('feature'), { nil: undefined }), version: fc.option(hostileJson, { nil: undefined }) })),
      fc.tuple(fc.constant('/v1/freezes'), fc.record({ service: maybe('checkout'), start: when('2026-11-21T11:00:00Z'), end: when('2026-11-21T12:00:00Z'), reason: maybe('release') })),
      fc.tuple(fc.constant('/v1/overrides'), fc.record({ service: maybe('checkout'), reason: maybe('hotfix'), expiresAt: when('2026-11-21T12:00:00Z'), approvedBy: maybe('jane') })),
      fc.tuple(fc.constant('/v1/silences'), fc.record({ slo: fc.option(maybe('checkout-availability'), { nil: undefined }), service: fc.option(maybe('checkout'), { nil: undefined }), until: when('2026-11-22T10:00:00Z'), reason: maybe('maintenance') })),
    );
    await fc.assert(
      fc.asyncProperty(bodies, extraKeys, fc.option(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 210 }), { freq: 3 }), async ([url, body], extra, key) => {
        const sent = extra ? { ...(body as object), ...extra } : body;
        const payload = JSON.stringify(sent);
        const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' };
        if (key !== null) headers['idempotency-key'] = key;
        const outcome = await check({ method: 'POST', url, headers, payload });
        // an impossible date is refused with a detail naming its field (SPEC §5), whatever else is wrong
        // (unless the body as a whole was refused: a `__proto__` key makes it no JSON the service reads)
        const impossible = impossibleDatePaths(sent);
        const paths = outcome.body?.details.map((d) => d.path) ?? [];
        if (impossible.length > 0 && !paths.includes('body')) {
          if (outcome.status !== 400) throw new Error(`impossible date ${impossible.join(', ')} not refused: ${outcome.status} ${payload.slice(0, 300)}`);
          for (const path of impossible) {
            if (!paths.includes(path)) throw new Error(`400 without a detail at ${path}: ${JSON.stringify(outcome.body).slice(0, 300)}`);
          }
        }
      }),
      params(200),
    );
  });

  it('ingest with Idempotency-Key: any body is answered, a repeat answers the same, a refused one is never remembered', async () => {
    const key = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 });
    const body = fc.oneof(
      rawText,
      fc.record({ events: fc.array(fc.record({ slo: fc.constantFrom(...EVENTS_SLOS), good: fc.integer({ min: 0, max: 3 }), total: fc.integer({ min: 3, max: 5 }) }), { minLength: 1, maxLength: 3 }) }).map((v) => JSON.stringify(v)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(key, body, async (k, payload) => {
        const headers = { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json', 'idempotency-key': `${n++}-${k}`.slice(0, 200) };
        const first = await check({ method: 'POST', url: '/v1/events', headers, payload });
        const again = await check({ method: 'POST', url: '/v1/events', headers, payload });
        if (again.status !== first.status) throw new Error(`repeat answered ${again.status}, first ${first.status}: ${payload.slice(0, 200)}`);
      }),
      params(150),
    );
  });

  it('query strings at every GET endpoint, duplicate keys and bad encodings included', async () => {
    const gets = () => fc.constantFrom(...operations.filter((o) => o.method === 'GET'));
    await fc.assert(
      fc.asyncProperty(gets(), fc.oneof(fc.constant('checkout-availability'), fc.constant('checkout'), pathParam), queryString, authorization, async (operation, param, query, auth) => {
        await check(request(operation, param, query, undefined, '', auth, {}));
      }),
      params(150),
    );
  });
});
