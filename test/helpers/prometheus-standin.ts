import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from './free-port';

/**
 * How the stand-in answers `GET /api/v1/query` (SPEC §12's faulty Prometheus):
 * - `ok`: a valid vector answer (`value` for every query, or `valueFor(query)`);
 * - `trickle`: 200 and JSON headers at once, then one byte (a space) every `trickleEveryMs`, forever:
 *   the socket is never idle, so an idle timeout never fires;
 * - `hang`: reads the request and never answers;
 * - `flood`: a valid vector answer of `floodBytes` (default 11 MiB), chunked unless `declareLength`;
 * - `error`: HTTP 500 with a Prometheus error JSON (`status: error`).
 * A Prometheus that is `down` is a closed port: {@link PrometheusStandin.close} it (or never start one).
 */
export type StandinMode = 'ok' | 'trickle' | 'hang' | 'flood' | 'error';

export interface StandinOptions {
  /** the `ok` answer's sample value (default 10) */
  value?: number;
  /** per-query sample values for `ok` (wins over `value`) */
  valueFor?: (query: string) => number;
  /** `trickle`: time between bytes (default 200 ms) */
  trickleEveryMs?: number;
  /** `flood`: body size (default 11 MiB) */
  floodBytes?: number;
  /** `flood`: send a content-length header (default: chunked, the size known only by reading) */
  declareLength?: boolean;
}

export interface PrometheusStandin {
  url: string;
  port: number;
  mode: StandinMode;
  /** switches how the next queries are answered (queries in progress keep theirs) */
  setMode(mode: StandinMode, options?: StandinOptions): void;
  /** queries received, in order */
  readonly queries: string[];
  /** connections open now (a client that gave up closes its own) */
  openConnections(): number;
  /** stops answering: the port is closed, open connections destroyed */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** A loopback HTTP server standing in for Prometheus' query API, in a chosen (switchable) mode. */
export async function startPrometheusStandin(mode: StandinMode = 'ok', options: StandinOptions = {}): Promise<PrometheusStandin> {
  let current: { mode: StandinMode; options: StandinOptions } = { mode, options };
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const vector = (value: number): string => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, String(value)] }] } });

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    queries.push(query);
    const { mode: now, options: opts } = current;
    switch (now) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(vector(opts.valueFor?.(query) ?? opts.value ?? 10));
        return;
      case 'error':
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'stand-in failure' }));
        return;
      case 'hang':
        return; // the request is read; no answer ever comes
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            timers.delete(timer);
          } else res.write(' ');
        }, opts.trickleEveryMs ?? 200);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'flood':
        flood(res, opts.floodBytes ?? 11 * MiB, opts.declareLength ?? false);
        return;
    }
  };

  /** `{"status":"success","data":{"resultType":"vector","result":[{…},{…},…]}}` of about `bytes`, written with backpressure. */
  const flood = (res: ServerResponse, bytes: number, declareLength: boolean): void => {
    const head = '{"status":"success","data":{"resultType":"vector","result":[';
    const sample = '{"metric":{"__name__":"http_requests_total","instance":"stand-in:9090"},"value":[0,"1"]}';
    const tail = `${sample}]}}`;
    const samplesPerChunk = Math.floor((64 * 1024) / (sample.length + 1));
    const chunk = Buffer.from(Array.from({ length: samplesPerChunk }, () => sample).join(',') + ',');
    const length = head.length + Math.max(0, Math.ceil((bytes - head.length) / chunk.length)) * chunk.length + tail.length;
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': length } : {}) });
    res.on('error', () => undefined);
    res.write(head);
    let written = head.length;
    const write = (): void => {
      if (res.destroyed) return;
      while (written < bytes) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
      res.end(tail);
    };
    write();
  };

  const server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const standin: PrometheusStandin = {
    url: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return current.mode;
    },
    setMode: (next, nextOptions = {}) => {
      current = { mode: next, options: nextOptions };
    },
    queries,
    openConnections: () => sockets.size,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return standin;
}
