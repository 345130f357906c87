import { performance } from 'node:perf_hooks';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §5 "Bad input is refused before it costs anything": the token is checked before a body is
 * read; a request without a valid token never has its body parsed.
 */
describe('authentication before the body', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig());
  });
  afterAll(async () => {
    await t.close();
  });

  const inject = (payload: string, headers: Record<string, string>, url = '/v1/events') =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('answers 401/403 to a body that would be a 400, without parsing it', async () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const cases: Array<[Record<string, string>, number]> = [
        [{}, 401],
        [{ authorization: 'Bearer not-a-token-0000' }, 401],
        [{ authorization: 'Basic abc' }, 401],
        [{ authorization: `Bearer ${TOKENS.reader}` }, 403],
      ];
      for (const [headers, status] of cases) {
        parse.mockClear();
        const malformed = await inject('{"events": [ {"slo": ', headers);
        const deep = await inject('['.repeat(10_000) + ']'.repeat(10_000), headers);
        const parsesDuringRequests = parse.mock.calls.length;
        expect([headers, malformed.statusCode, deep.statusCode]).toEqual([headers, status, status]);
        expect(JSON.parse(malformed.body)).toMatchObject({ statusCode: status, details: [] });
        expect(parsesDuringRequests).toBe(0);
      }
      // the same bodies with a token of the right scope are read, and refused as bodies
      parse.mockClear();
      const malformed = await inject('{"events": [ {"slo": ', { authorization: `Bearer ${TOKENS.ingest}` });
      expect(malformed.statusCode).toBe(400);
      expect(JSON.parse(malformed.body).details).toEqual([expect.objectContaining({ path: 'body' })]);
      // the gate and admin routes check first too
      expect((await inject('{', {}, '/v1/deploy-gate')).statusCode).toBe(401);
      expect((await inject('{', { authorization: `Bearer ${TOKENS.reader}` }, '/v1/freezes')).statusCode).toBe(403);
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses a 5 MB body without a token much faster than it would take to parse it', async () => {
    const event = '{"slo":"checkout-availability","good":1,"total":2},';
    const count = Math.floor((5 * 1024 * 1024 - 100) / event.length);
    const body = `{"pad":[${event.repeat(count).slice(0, -1)}]}`; // valid JSON of 100k objects: a 400 once parsed
    expect(body.length).toBeGreaterThan(4.9 * 1024 * 1024);
    const timed = async (headers: Record<string, string>) => {
      const times: number[] = [];
      let status = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        status = (await inject(body, headers)).statusCode;
        times.push(performance.now() - t0);
      }
      return { status, median: times.sort((a, b) => a - b)[2] };
    };
    const refused = await timed({});
    const parsed = await timed({ authorization: `Bearer ${TOKENS.ingest}` });
    expect(refused.status).toBe(401);
    expect(parsed.status).toBe(400);
    // loose bounds (a shared machine): refusing costs a fraction of reading the body, and little in absolute terms
    expect(refused.median).toBeLessThan(parsed.median / 2);
    expect(refused.median).toBeLessThan(50);
  });
});
