import Ajv2020 from 'ajv/dist/2020';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS, UNREACHABLE_PROMETHEUS_SLO } from '../helpers/configs';

/**
 * The OpenAPI document (`GET /docs-json`, generated from the zod schemas) is the API's contract:
 * every operation it lists is called for real, on data that fills its lists, and each answer must
 * validate against the schema documented for its status. Object schemas are strict
 * (`additionalProperties: false`), so a field the document lacks fails as surely as one it promises
 * and the answer lacks. Errors (400, 401, 403, 404) must match the error shape, and every route the
 * app serves must be documented, and the other way round.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DOC_ID = 'https://slo-engine.test/openapi.json';


interface MediaType {
  schema: object;
}
interface Operation {
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

/** A request; `token: null` sends none (default: the admin token, which has every scope). */
interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  token?: string | null;
  body?: unknown;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

let t: TestApp;
let doc: OpenApiDocument;
let ajv: Ajv2020;
const iso = (ms: number) => new Date(ms).toISOString();
const send = ({ method = 'GET', url, token = TOKENS.admin, body }: Call) => t.request({ method, url, token: token ?? undefined, body });

async function create(url: string, body: unknown): Promise<string> {
  const res = await send({ method: 'POST', url, body });
  expect([url, res.status]).toEqual([url, 201]);
  return res.body.id as string;
}

const freezeBody = () => ({ service: 'checkout', start: iso(t.clock.now() + 24 * HOUR), end: iso(t.clock.now() + 25 * HOUR), reason: 'release train' });
const overrideBody = () => ({ service: 'search', reason: 'hotfix for incident 4411', expiresAt: iso(t.clock.now() + HOUR), approvedBy: 'jane.doe' });
const silenceBody = () => ({ service: 'search', until: iso(t.clock.now() + HOUR), reason: 'index rebuild' });
const correctionBody = () => ({ service: 'checkout', start: iso(t.clock.now() + 24 * HOUR), duration: '2h', repeat: 'weekly', reason: 'DB maintenance' });
/** A config correction (no creation time), before any traffic of the test. */
const CONFIG_CORRECTION = `
corrections:
  - { slo: checkout-latency, start: "2026-01-05T02:00:00+01:00", end: "2026-01-05T03:00:00+01:00", reason: "load test" }`;

/** One or more successful calls per documented operation (`METHOD /path` as in the document). */
const CALLS: Record<string, () => Promise<Call[]>> = {
  'POST /v1/events': async () => [
    { method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: [{ slo: 'checkout-availability', good: 10, total: 10, timestamp: iso(t.clock.now()) }] } },
  ],
  'GET /v1/slos': async () => [{ url: '/v1/slos' }, { url: '/v1/slos?service=checkout&limit=1' }],
  'GET /v1/slos/{id}': async () => [{ url: '/v1/slos/checkout-availability' }, { url: '/v1/slos/catalog-latency' }],
  'GET /v1/slos/{id}/budget': async () => [{ url: '/v1/slos/search-availability/budget' }, { url: '/v1/slos/catalog-latency/budget' }],
  'GET /v1/slos/{id}/history': async () => [
    { url: `/v1/slos/checkout-availability/history?from=${iso(t.clock.now() - HOUR)}&step=5m` },
    { url: `/v1/slos/checkout-latency/history?from=${iso(t.clock.now() - 8 * 24 * HOUR)}&step=1d` },
  ],
  'GET /v1/burndown': async () => [{ url: '/v1/burndown', token: TOKENS.reader }, { url: '/v1/burndown?service=checkout&points=2' }],
  'GET /v1/services/{service}/budget': async () => [{ url: '/v1/services/checkout/budget' }],
  'GET /v1/alerts': async () => [{ url: '/v1/alerts', token: TOKENS.reader }],
  'POST /v1/deploy-gate': async () => [
    { method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout', changeType: 'fix', version: '1.2.4', environment: 'prod', requestedBy: 'ci/7' } },
    { method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'catalog' } },
  ],
  'GET /v1/deploy-gate/decisions': async () => [{ url: '/v1/deploy-gate/decisions' }, { url: '/v1/deploy-gate/decisions?service=search&limit=1' }],
  'POST /v1/freezes': async () => [{ method: 'POST', url: '/v1/freezes', body: freezeBody() }],
  'GET /v1/freezes': async () => [{ url: '/v1/freezes' }],
  'DELETE /v1/freezes/{id}': async () => [{ method: 'DELETE', url: `/v1/freezes/${await create('/v1/freezes', freezeBody())}` }],
  'POST /v1/overrides': async () => [{ method: 'POST', url: '/v1/overrides', body: overrideBody() }],
  'GET /v1/overrides': async () => [{ url: '/v1/overrides' }],
  'DELETE /v1/overrides/{id}': async () => [{ method: 'DELETE', url: `/v1/overrides/${await create('/v1/overrides', overrideBody())}` }],
  'GET /v1/audit': async () => [{ url: '/v1/audit?limit=1000' }],
  'POST /v1/silences': async () => [{ method: 'POST', url: '/v1/silences', body: silenceBody() }],
  'GET /v1/silences': async () => [{ url: '/v1/silences' }],
  'DELETE /v1/silences/{id}': async () => [{ method: 'DELETE', url: `/v1/silences/${await create('/v1/silences', silenceBody())}` }],
  'POST /v1/corrections': async () => [
    { method: 'POST', url: '/v1/corrections', body: correctionBody() },
    { method: 'POST', url: '/v1/corrections', body: { slo: 'checkout-availability', start: '2026-11-20T08:00:00+01:00', end: '2026-11-20T08:30:00+01:00', reason: 'provider outage' } },
  ],
  'GET /v1/corrections': async () => [{ url: '/v1/corrections', token: TOKENS.reader }],
  'DELETE /v1/corrections/{id}': async () => [{ method: 'DELETE', url: `/v1/corrections/${await create('/v1/corrections', correctionBody())}` }],
  'GET /v1/incidents': async () => [{ url: '/v1/incidents', token: TOKENS.reader }, { url: `/v1/incidents?service=search&state=open&from=${iso(t.clock.now() - HOUR)}&limit=1` }],
  'GET /v1/incidents/{id}': async () => [{ url: `/v1/incidents/${await incidentId()}`, token: TOKENS.reader }],
  'PUT /v1/incidents/{id}/postmortem': async () => [
    { method: 'PUT', url: `/v1/incidents/${await incidentId()}/postmortem`, body: { url: 'https://wiki.example/postmortems/search' } },
    {
      method: 'PUT',
      url: `/v1/incidents/${await incidentId()}/postmortem`,
      body: {
        url: 'https://wiki.example/postmortems/search',
        summary: 'the index was rebuilt under load',
        actionItems: [{ title: 'rate-limit index rebuilds', owner: 'jane', dueAt: iso(t.clock.now() + 7 * 24 * HOUR), category: 'prevention', done: false }],
      },
    },
  ],
  'GET /v1/services/{service}/reliability': async () => [{ url: '/v1/services/search/reliability', token: TOKENS.reader }, { url: '/v1/services/checkout/reliability?window=7d' }],
  'POST /v1/admin/state/accept-loss': async () => [{ method: 'POST', url: '/v1/admin/state/accept-loss' }],
  'GET /v1/admin/state': async () => [{ url: '/v1/admin/state' }],
  'PUT /v1/admin/state': async () => [{ method: 'PUT', url: '/v1/admin/state', body: (await send({ url: '/v1/admin/state' })).body }],
  'GET /metrics': async () => [{ url: '/metrics', token: TOKENS.reader }],
  'GET /healthz': async () => [{ url: '/healthz', token: null }],
  'GET /readyz': async () => [{ url: '/readyz', token: null }],
};

/** The id of the incident the failing search SLO opened. */
async function incidentId(): Promise<string> {
  const list = await send({ url: '/v1/incidents?service=search' });
  expect(list.body.incidents.length).toBeGreaterThan(0);
  return list.body.incidents[0].id as string;
}

/** Top-level lists that may be empty in a good answer (every other list must have data behind it). */
const MAY_BE_EMPTY = new Set(['warnings']);

/** `#/components/schemas/X` → the document's components, added to ajv under DOC_ID. */
function resolvedAgainstDocument(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(resolvedAgainstDocument);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOC_ID}${value}` : resolvedAgainstDocument(value)]),
  );
}

function expectValid(schema: object, data: unknown, label: string): void {
  const validate = ajv.compile(resolvedAgainstDocument(schema) as object);
  const valid = validate(data);
  expect({ label, errors: valid ? [] : validate.errors, data: valid ? 'valid' : data }).toEqual({ label, errors: [], data: 'valid' });
}

function operation(key: string): Operation {
  const [method, path] = key.split(' ');
  const found = doc.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`${key} is not in the document`);
  return found;
}

function documentedOperations(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * The routes Fastify serves, from `printRoutes({ commonPrefix: false })`: a tree whose lines are
 * `├── segment (GET, HEAD)`, each segment continuing its parent's path.
 */
function servedRoutes(): string[] {
  const text: string = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) throw new Error(`unexpected printRoutes line: ${JSON.stringify(line)}`);
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3].split(', ')) routes.push(`${method} ${path}`);
  }
  return routes;
}

beforeAll(async () => {
  t = await startTestApp(testConfig({ extraSlos: UNREACHABLE_PROMETHEUS_SLO + CONFIG_CORRECTION }));
  const now = t.clock.now();
  // An hour of traffic, one event a minute: checkout fine, search failing (its page and ticket fire).
  const events = [];
  for (let at = now - HOUR + MINUTE; at <= now; at += MINUTE) {
    const timestamp = iso(at);
    events.push(
      { slo: 'checkout-availability', good: 1000, total: 1000, timestamp },
      { slo: 'checkout-latency', good: 995, total: 1000, timestamp },
      { slo: 'search-availability', good: 0, total: 100, timestamp },
    );
  }
  expect((await send({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events } })).status).toBe(202);
  // Three cycles: the Prometheus SLO fails each and fires its source-unavailable ticket at the third.
  for (let cycle = 0; cycle < 3; cycle++) {
    if (cycle > 0) t.clock.advance(10_000);
    await t.evaluate();
  }
  const later = t.clock.now();
  await create('/v1/freezes', { service: 'search', start: iso(later - MINUTE), end: iso(later + HOUR), reason: 'Black Friday' });
  await create('/v1/overrides', { service: 'checkout', reason: 'hotfix', expiresAt: iso(later + HOUR), approvedBy: 'jane.doe' });
  await create('/v1/silences', { slo: 'search-availability', until: iso(later + HOUR), reason: 'provider maintenance' });
  await create('/v1/silences', { service: 'catalog', until: iso(later + HOUR), reason: 'Prometheus migration' });
  await create('/v1/corrections', { service: '*', start: iso(later + 48 * HOUR), duration: '30m', repeat: 'daily', reason: 'network maintenance' });
  // Allowed by the override, with a version: a deploy. Denied by the freeze: a decision naming it.
  const gate = (body: object) => send({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body });
  expect((await gate({ service: 'checkout', version: '1.2.3', environment: 'prod', requestedBy: 'ci/6' })).body.decision).toBe('allow');
  expect((await gate({ service: 'search', changeType: 'db-migration' })).body.decision).toBe('deny');

  const docs = await t.request({ url: '/docs-json' });
  expect(docs.status).toBe(200);
  doc = docs.body as OpenApiDocument;
  ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  ajv.addVocabulary(['components', 'example']);
  // SPEC §5: timestamps in responses are ISO-8601 UTC with Z.
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)) });
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
});

afterAll(async () => {
  await t?.close();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 whose object schemas are all strict', () => {
    expect(doc.openapi).toBe('3.1.0');
    const loose: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if ('properties' in schema && schema.additionalProperties !== false) loose.push(`${at}: an object schema without additionalProperties: false`);
      if ('nullable' in schema) loose.push(`${at}: OpenAPI 3.0 "nullable"`);
      if (Array.isArray(schema.allOf) && JSON.stringify(schema.allOf).includes('"null"')) loose.push(`${at}: a nullable $ref written as allOf (refuses null)`);
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}.${key}`);
    };
    walk(doc.components.schemas, 'components.schemas');
    walk(doc.paths, 'paths');
    expect(loose).toEqual([]);
  });

  it('documents every route the app serves, serves every route it documents, and this test calls each', () => {
    const served = servedRoutes()
      .filter((route) => !route.startsWith('HEAD '))
      .filter((route) => {
        const path = route.split(' ')[1];
        // the board's pages and bundle are web pages, not API (test/e2e/read-api, board-*)
        const board = ['/', '/tv', '/incidents', '/incidents/{id}', '/slos/{id}', '/services/{service}', '/assets/{file}'];
        return !board.includes(path) && !path.startsWith('/docs');
      });
    expect(served).toEqual(expect.arrayContaining(['GET /v1/slos', 'GET /v1/slos/{id}', 'DELETE /v1/silences/{id}', 'GET /metrics'])); // the parse found them
    expect([...served].sort()).toEqual(documentedOperations().sort());
    expect(Object.keys(CALLS).sort()).toEqual(documentedOperations().sort());
  });
});

describe('every documented operation answers as documented', () => {
  it.each(Object.keys(CALLS))('%s', async (key) => {
    const op = operation(key);
    const success = Object.keys(op.responses).filter((status) => /^2\d\d$/.test(status));
    expect(success).toHaveLength(1);
    const response = op.responses[success[0]];
    for (const call of await CALLS[key]()) {
      if (call.body !== undefined) expectValid(op.requestBody!.content['application/json'].schema, call.body, `${key} request body`);
      const res = await send(call);
      expect([call.url, res.status]).toEqual([call.url, Number(success[0])]);
      if (!response.content) {
        expect(res.body).toBe('');
        continue;
      }
      const [mediaType, ...others] = Object.keys(response.content);
      expect(others).toEqual([]);
      expect(String(res.headers['content-type'])).toContain(mediaType);
      expectValid(response.content[mediaType].schema, res.body, `${key} ${call.url}`);
      if (typeof res.body === 'object' && res.body !== null) {
        const empty = Object.entries(res.body as Record<string, unknown>).filter(([name, value]) => Array.isArray(value) && value.length === 0 && !MAY_BE_EMPTY.has(name));
        expect([call.url, empty.map(([name]) => name)]).toEqual([call.url, []]);
      }
    }
  });

  it('on data that takes every nullable and optional branch', async () => {
    const alerts = (await send({ url: '/v1/alerts' })).body.alerts as Array<Record<string, unknown>>;
    expect(alerts.some((a) => a.rule === null && a.burnRates === null && a.kind === 'source-unavailable')).toBe(true);
    expect(alerts.some((a) => a.rule !== null && a.silenced === true)).toBe(true);
    const decisions = (await send({ url: '/v1/deploy-gate/decisions' })).body.decisions as Array<Record<string, unknown>>;
    expect(decisions.some((d) => d.overrideId !== null && d.version !== null)).toBe(true);
    expect(decisions.some((d) => (d.freezeIds as string[]).length > 0 && d.version === null)).toBe(true);
    const slos = (await send({ url: '/v1/slos' })).body.slos as Array<Record<string, unknown>>;
    expect(slos.some((s) => s.evaluatedAt === null && s.team === null)).toBe(true);
    expect(slos.some((s) => s.evaluatedAt !== null && (s.alerts as unknown[]).length > 0)).toBe(true);
    const silences = (await send({ url: '/v1/silences' })).body.silences as Array<Record<string, unknown>>;
    expect(silences.some((s) => s.slo === null) && silences.some((s) => s.service === null)).toBe(true);
    const corrections = (await send({ url: '/v1/corrections' })).body.corrections as Array<Record<string, unknown>>;
    expect(corrections.some((c) => c.slo === null) && corrections.some((c) => c.service === null)).toBe(true);
    expect(corrections.some((c) => c.createdAt === null && c.createdBy === null) && corrections.some((c) => c.createdAt !== null)).toBe(true);
    expect(corrections.some((c) => c.repeat === null) && corrections.some((c) => c.repeat !== null)).toBe(true);
    const budget = (await send({ url: '/v1/services/checkout/budget' })).body;
    expect(budget.deploys[0].slos.length).toBeGreaterThan(0);
  });
});

describe('errors have the documented shape', () => {
  it.each([
    ['400', 'GET /v1/slos', { url: '/v1/slos?limit=0' }],
    ['400', 'POST /v1/events', { method: 'POST', url: '/v1/events', body: { events: [{ slo: 'checkout-availability', good: 2, total: 1 }] } }],
    ['401', 'GET /v1/slos', { url: '/v1/slos', token: null }],
    ['403', 'POST /v1/freezes', { method: 'POST', url: '/v1/freezes', token: TOKENS.reader, body: {} }],
    ['404', 'GET /v1/slos/{id}', { url: '/v1/slos/nope' }],
    ['404', 'DELETE /v1/silences/{id}', { method: 'DELETE', url: '/v1/silences/nope' }],
    ['503', 'GET /v1/slos/{id}/history', { url: '/v1/slos/catalog-latency/history?step=30m' }],
  ] as Array<[string, string, Call]>)('%s of %s', async (status, key, call) => {
    const response = operation(key).responses[status];
    expect(response?.content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    const res = await send(call);
    expect(res.status).toBe(Number(status));
    expectValid(response.content!['application/json'].schema, res.body, `${status} of ${key}`);
    if (status === '400') expect(res.body.details.length).toBeGreaterThan(0);
  });

  it('409 of DELETE /v1/corrections/{id} (a config correction)', async () => {
    const response = operation('DELETE /v1/corrections/{id}').responses['409'];
    expect(response?.content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    const configured = ((await send({ url: '/v1/corrections' })).body.corrections as Array<{ id: string; source: string }>).find((c) => c.source === 'config')!;
    const res = await send({ method: 'DELETE', url: `/v1/corrections/${configured.id}` });
    expect(res.status).toBe(409);
    expectValid(response.content!['application/json'].schema, res.body, '409 of DELETE /v1/corrections/{id}');
  });

  it('404 of an unknown route', async () => {
    const res = await send({ url: '/v1/nope' });
    expect(res.status).toBe(404);
    expectValid({ $ref: '#/components/schemas/ApiError' }, res.body, 'unknown route');
  });
});
