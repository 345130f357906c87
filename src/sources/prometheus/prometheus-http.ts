import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../../common/duration';
import { safeTimeout } from '../../common/safe-timer';

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** The largest answer read (SPEC §12): a bigger one is refused, not buffered. */
export const MAX_ANSWER_BYTES = 10 * 1024 * 1024;

/**
 * A lean GET-and-parse-JSON over `node:http(s)` with a keep-alive agent sized to the query
 * concurrency: a cycle asks thousands of small instant queries, and a general-purpose client's
 * per-request bookkeeping (axios here cost about a third of the cycle) takes CPU from Prometheus
 * on the same machine. Errors carry a code (`ECONNREFUSED`, `timeout after 10s`), never the URL or
 * headers.
 *
 * Every request ends within `timeoutMs` of its start, whole answer included: a hard timer aborts it
 * (a socket timeout would not: a server that trickles a byte now and then keeps an idle timer from
 * ever firing). An answer over {@link MAX_ANSWER_BYTES} is refused as soon as it is known to be.
 * A `signal` aborts the request earlier (the cycle gave up), with the signal's reason.
 */
export class PrometheusHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(
    baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
    maxSockets: number,
    /** told each request's duration in seconds, answered or not */
    private readonly observe?: (seconds: number) => void,
  ) {
    this.base = new URL(baseUrl.replace(/\/+$/, '') + '/');
    this.transport = this.base.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets });
  }

  get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<HttpAnswer> {
    if (signal?.aborted) return Promise.reject(reasonOf(signal));
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const started = performance.now();
      let settled = false;
      const settle = (outcome: { error: Error } | { answer: HttpAnswer }): void => {
        if (settled) return;
        settled = true;
        timer.clear();
        signal?.removeEventListener('abort', onAbort);
        this.observe?.((performance.now() - started) / 1000);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.answer);
      };
      /** Ends the request with `error`: the socket is destroyed, whatever was read is dropped. */
      const abort = (error: Error): void => {
        settle({ error });
        request.destroy();
      };
      const request = this.transport.get(url, { agent: this.agent, headers: { accept: 'application/json', ...this.headers } }, (response) => {
        const declared = Number(response.headers['content-length']);
        if (declared > MAX_ANSWER_BYTES) {
          abort(new Error(`answer over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) abort(new Error(`answer over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`));
          else chunks.push(chunk);
        });
        response.on('error', () => abort(new Error('connection reset')));
        response.on('close', () => {
          if (!response.complete) abort(new Error('connection reset'));
        });
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON: the caller says so */
          }
          settle({ answer: { status: response.statusCode ?? 0, body } });
        });
      });
      const timer = safeTimeout(() => abort(new Error(`timeout after ${formatDuration(this.timeoutMs)}`)), this.timeoutMs);
      const onAbort = (): void => abort(reasonOf(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => settle({ error: new Error(error.code ?? 'request failed') }));
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function reasonOf(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? new Error(reason.message) : new Error('aborted');
}
