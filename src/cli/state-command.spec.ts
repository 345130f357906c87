import { PassThrough } from 'node:stream';
import { runState } from './state-command';

/** `slo-engine state export|import` exit codes (SPEC §10) with a stubbed fetch. */
const stream = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { s, text: () => text };
};

const answering = (status: number, body: string) => (async () => new Response(body, { status })) as unknown as typeof fetch;

describe('runState', () => {
  it.each([
    [200, '{"format":1}', 0],
    [400, '{"message":"invalid state export"}', 3],
    [401, '', 3],
    [403, '{}', 3],
    [302, '', 2],
    [500, '{"message":"boom"}', 2],
    [503, '', 2],
  ])('HTTP %i %s → exit %i', async (status, body, code) => {
    const out = stream();
    const err = stream();
    expect(await runState(['export', '--url', 'http://engine.test'], { SLO_ENGINE_TOKEN: 'secret-token-1' }, out.s, err.s, answering(status, body))).toBe(code);
    expect(err.text()).not.toContain('secret-token-1');
    if (code === 0) expect(out.text()).toBe('{"format":1}\n');
  });

  it('a network error or timeout → 2; bad usage → 3', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    }) as unknown as typeof fetch;
    const err = stream();
    expect(await runState(['export', '--url', 'http://engine.test'], {}, stream().s, err.s, failing)).toBe(2);
    expect(err.text()).toContain('ECONNREFUSED');
    const timeout = (async () => {
      throw new DOMException('timed out', 'TimeoutError');
    }) as unknown as typeof fetch;
    expect(await runState(['export', '--url', 'http://engine.test'], {}, stream().s, stream().s, timeout)).toBe(2);
    for (const args of [['export'], ['import', '--url', 'http://e.test'], ['export', '--url', 'ftp://e.test'], ['restore', '--url', 'http://e.test'], ['export', '--url', 'http://e.test', '--bogus']]) {
      expect(await runState(args, {}, stream().s, stream().s, answering(200, '{}'))).toBe(3);
    }
  });

  it('import sends the file with PUT and the token', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const recording = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('{"imported":{}}', { status: 200 });
    }) as unknown as typeof fetch;
    expect(await runState(['import', '--url', 'http://engine.test/base', '--token', 't1', __filename], {}, stream().s, stream().s, recording)).toBe(0);
    expect(calls[0].url).toBe('http://engine.test/base/v1/admin/state');
    expect(calls[0].init).toMatchObject({ method: 'PUT', headers: { authorization: 'Bearer t1', 'content-type': 'application/json' } });
    expect(await runState(['import', '--url', 'http://engine.test', '/nonexistent/file.json'], {}, stream().s, stream().s, recording)).toBe(3);
  });
});
