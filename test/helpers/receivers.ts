import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { freePort } from './free-port';

/**
 * Loopback stand-ins for PagerDuty (Events API v2 and Change Events, one server for both) and a
 * Slack incoming webhook: the only fakes of those services the tests use. They record every request
 * with the status it was answered, and check each against the published request shape: every
 * violation is one line in `problems`, which tests assert stays empty. What they answer is the
 * service's usual success, unless a test scripts statuses (`script`) or a responder (`respond`).
 */
export interface ReceivedRequest {
  at: number;
  method: string;
  /** the request path, without the query */
  path: string;
  /** the request target as sent, with the query if any */
  url: string;
  headers: IncomingHttpHeaders;
  body: any;
  status: number;
}

export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string };
export type ReceiverResponder = (req: { method: string; path: string; body: any }) => ReceiverAnswer;

export interface LoopbackReceiver {
  /** PagerDuty: http://127.0.0.1:PORT/v2/enqueue ; Slack: http://127.0.0.1:PORT/services/T000/B000/XXXX */
  url: string;
  /** every request, with the status it was answered */
  requests: ReceivedRequest[];
  /** those answered with success (2xx) */
  accepted(): ReceivedRequest[];
  /** violations of the published API shape, one line each */
  problems: string[];
  /** null = default answer */
  respond(answer: ReceiverResponder | null): void;
  /**
   * The next requests (to a known path) are answered these statuses in turn, each with the body the
   * real service gives with it; once they are used up, the responder or the default answer again.
   */
  script(statuses: readonly number[]): void;
  /** forgets the requests, problems, script and responder (between tests sharing one receiver) */
  reset(): void;
  /** rejects on timeout with a clear message */
  waitFor(predicate: (accepted: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Check = (req: { method: string; path: string; headers: IncomingHttpHeaders; body: any }) => string[];
type DefaultAnswer = (req: { method: string; path: string; body: any }) => ReceiverAnswer;
/** the answer of a scripted status (a non-2xx one: the service's error body for it) */
type StatusAnswer = (status: number, req: { method: string; path: string; body: any }) => ReceiverAnswer;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isIsoTimestamp = (v: unknown): boolean => isString(v) && ISO_8601.test(v) && !Number.isNaN(Date.parse(v));

function unknownKeys(where: string, value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${where}: unknown key "${k}"`);
}

function jsonPost(req: { method: string; headers: IncomingHttpHeaders; body: any }): string[] {
  const problems: string[] = [];
  if (req.method !== 'POST') problems.push(`method ${req.method}, expected POST`);
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    problems.push(`content-type "${req.headers['content-type'] ?? ''}", expected application/json`);
  }
  if (!isObject(req.body)) problems.push('body is not a JSON object');
  return problems;
}

function routingKey(body: Record<string, any>): string[] {
  return isString(body.routing_key) && body.routing_key.length === 32 ? [] : ['routing_key must be a 32-character string'];
}

function links(body: Record<string, any>): string[] {
  const problems: string[] = [];
  if (body.links !== undefined) {
    if (!Array.isArray(body.links)) problems.push('links must be an array');
    else body.links.forEach((l: unknown, i) => {
      if (!isObject(l) || !isString(l.href) || l.href === '') problems.push(`links[${i}].href must be a non-empty string`);
      else if (l.text !== undefined && !isString(l.text)) problems.push(`links[${i}].text must be a string`);
    });
  }
  if (body.images !== undefined) {
    if (!Array.isArray(body.images)) problems.push('images must be an array');
    else body.images.forEach((img: unknown, i) => {
      if (!isObject(img) || !isString(img.src)) problems.push(`images[${i}].src must be a string`);
    });
  }
  return problems;
}

function summary(payload: Record<string, any>): string[] {
  const s: unknown = payload.summary;
  return isString(s) && s.length >= 1 && s.length <= 1024 ? [] : ['payload.summary must be a string of 1 to 1024 characters'];
}

/** Events API v2 (`POST /v2/enqueue`). */
const pagerDutyEventShape: Check = (req) => {
  const problems = jsonPost(req);
  const body = req.body;
  if (!isObject(body)) return problems;
  problems.push(...routingKey(body));
  problems.push(...unknownKeys('event', body, ['routing_key', 'event_action', 'dedup_key', 'payload', 'links', 'images', 'client', 'client_url']));
  const action: unknown = body.event_action;
  if (!['trigger', 'acknowledge', 'resolve'].includes(action as string)) problems.push(`event_action "${String(action)}" is not trigger, acknowledge or resolve`);
  if (body.dedup_key !== undefined && !(isString(body.dedup_key) && body.dedup_key.length <= 255)) problems.push('dedup_key must be a string of at most 255 characters');
  if (action !== 'trigger' && body.dedup_key === undefined) problems.push(`dedup_key is required to ${String(action)}`);
  for (const key of ['client', 'client_url'] as const) if (body[key] !== undefined && !isString(body[key])) problems.push(`${key} must be a string`);
  problems.push(...links(body));
  const payload: unknown = body.payload;
  if (action === 'trigger' && !isObject(payload)) problems.push('payload is required to trigger');
  if (isObject(payload)) {
    problems.push(...summary(payload));
    problems.push(...unknownKeys('payload', payload, ['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details']));
    if (!isString(payload.source) || payload.source === '') problems.push('payload.source must be a non-empty string');
    if (!['critical', 'error', 'warning', 'info'].includes(payload.severity)) problems.push(`payload.severity "${String(payload.severity)}" is not critical, error, warning or info`);
    if (payload.timestamp !== undefined && !(isString(payload.timestamp) && ISO_8601.test(payload.timestamp))) problems.push('payload.timestamp must be ISO-8601');
    for (const key of ['component', 'group', 'class'] as const) if (payload[key] !== undefined && !isString(payload[key])) problems.push(`payload.${key} must be a string`);
    if (payload.custom_details !== undefined && !isObject(payload.custom_details)) problems.push('payload.custom_details must be an object');
  }
  return problems;
};

/** Change Events API v2 (`POST /v2/change/enqueue`). */
const pagerDutyChangeShape: Check = (req) => {
  const problems = jsonPost(req);
  const body = req.body;
  if (!isObject(body)) return problems;
  problems.push(...routingKey(body));
  problems.push(...unknownKeys('change event', body, ['routing_key', 'payload', 'links', 'images']));
  problems.push(...links(body));
  const payload: unknown = body.payload;
  if (!isObject(payload)) return [...problems, 'payload must be an object'];
  problems.push(...summary(payload));
  problems.push(...unknownKeys('payload', payload, ['summary', 'timestamp', 'source', 'custom_details']));
  // timestamp, source and custom_details are optional in this API; when given, they must be right
  if (payload.timestamp !== undefined && !isIsoTimestamp(payload.timestamp)) problems.push('payload.timestamp must be ISO-8601');
  if (payload.source !== undefined && !(isString(payload.source) && payload.source !== '')) problems.push('payload.source must be a non-empty string');
  if (payload.custom_details !== undefined && !isObject(payload.custom_details)) problems.push('payload.custom_details must be an object');
  return problems;
};

/** mrkdwn must have `&`, `<` and `>` escaped outside `<…>` links, mentions and dates. */
function mrkdwnEscaping(where: string, text: string): string[] {
  const outside = text.replace(/<[^<>\s|][^<>]*>/g, '');
  const problems: string[] = [];
  if (/[<>]/.test(outside)) problems.push(`${where}: unescaped < or >`);
  if (/&(?!(amp|lt|gt);)/.test(outside)) problems.push(`${where}: unescaped &`);
  return problems;
}

function textObject(where: string, value: unknown, options: { plainOnly?: boolean; max: number }): string[] {
  if (!isObject(value)) return [`${where} must be a text object`];
  const problems: string[] = [];
  if (value.type !== 'plain_text' && (options.plainOnly || value.type !== 'mrkdwn')) {
    problems.push(`${where}.type "${String(value.type)}" must be ${options.plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`);
  }
  if (!isString(value.text) || value.text.length < 1 || value.text.length > options.max) problems.push(`${where}.text must be a string of 1 to ${options.max} characters`);
  problems.push(...unknownKeys(where, value, value.type === 'plain_text' ? ['type', 'text', 'emoji'] : ['type', 'text', 'verbatim']));
  if (value.type === 'mrkdwn' && isString(value.text)) problems.push(...mrkdwnEscaping(`${where}.text`, value.text));
  return problems;
}

const SLACK_BLOCK_TYPES = ['section', 'header', 'divider', 'context', 'actions', 'image', 'rich_text', 'video', 'file', 'markdown', 'input', 'table'];
const SLACK_KEYS = ['text', 'blocks', 'attachments', 'username', 'icon_emoji', 'icon_url', 'channel', 'link_names', 'unfurl_links', 'unfurl_media', 'mrkdwn', 'thread_ts', 'reply_broadcast', 'metadata', 'parse'];

function slackBlock(block: unknown, i: number): string[] {
  const where = `blocks[${i}]`;
  if (!isObject(block) || !SLACK_BLOCK_TYPES.includes(block.type)) return [`${where}: unknown block type "${isObject(block) ? String(block.type) : typeof block}"`];
  if (block.block_id !== undefined && !(isString(block.block_id) && block.block_id.length <= 255)) return [`${where}.block_id must be a string of at most 255 characters`];
  switch (block.type) {
    case 'header':
      return [...textObject(`${where}.text`, block.text, { plainOnly: true, max: 150 }), ...unknownKeys(where, block, ['type', 'text', 'block_id'])];
    case 'section': {
      const problems = unknownKeys(where, block, ['type', 'text', 'fields', 'accessory', 'block_id', 'expand']);
      if (block.text === undefined && block.fields === undefined) problems.push(`${where}: a section needs text or fields`);
      if (block.text !== undefined) problems.push(...textObject(`${where}.text`, block.text, { max: 3000 }));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length < 1 || block.fields.length > 10) problems.push(`${where}.fields must hold 1 to 10 text objects`);
        else block.fields.forEach((f: unknown, j) => problems.push(...textObject(`${where}.fields[${j}]`, f, { max: 2000 })));
      }
      return problems;
    }
    case 'context': {
      const elements: unknown = block.elements;
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10) return [`${where}.elements must hold 1 to 10 elements`];
      return elements.flatMap((e: unknown, j) => (isObject(e) && e.type === 'image' ? [] : textObject(`${where}.elements[${j}]`, e, { max: 3000 })));
    }
    case 'divider':
      return unknownKeys(where, block, ['type', 'block_id']);
    default:
      return [];
  }
}

/** Slack incoming webhook (`POST /services/T…/B…/…`). */
const slackShape: Check = (req) => {
  const problems = jsonPost(req);
  const body = req.body;
  if (!isObject(body)) return problems;
  problems.push(...unknownKeys('message', body, SLACK_KEYS));
  const hasText = isString(body.text) && body.text.length > 0;
  if (body.text !== undefined && !isString(body.text)) problems.push('text must be a string');
  if (isString(body.text) && body.mrkdwn !== false) problems.push(...mrkdwnEscaping('text', body.text));
  if (body.blocks !== undefined) {
    if (!Array.isArray(body.blocks) || body.blocks.length > 50) problems.push('blocks must be an array of at most 50 blocks');
    else body.blocks.forEach((b: unknown, i) => problems.push(...slackBlock(b, i)));
  }
  if (!hasText && !(Array.isArray(body.blocks) && body.blocks.length > 0)) problems.push('text or blocks is required');
  return problems;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}

async function startReceiver(path: string, routes: Record<string, Check>, defaultAnswer: DefaultAnswer, statusAnswer: StatusAnswer): Promise<LoopbackReceiver> {
  const port = await freePort();
  const requests: ReceivedRequest[] = [];
  const problems: string[] = [];
  const waiters = new Set<() => void>();
  let responder: ReceiverResponder | null = null;
  let scripted: number[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    let body: any = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      /* kept as text; the shape check says so */
    }
    const method = req.method ?? '';
    const reqPath = (req.url ?? '').split('?')[0];
    const check: Check | undefined = Object.prototype.hasOwnProperty.call(routes, reqPath) ? routes[reqPath] : undefined;
    if (check) problems.push(...check({ method, path: reqPath, headers: req.headers, body }).map((p) => `${method} ${reqPath}: ${p}`));
    else problems.push(`${method} ${reqPath}: unknown path`);
    let answer: ReceiverAnswer;
    const status = check ? scripted.shift() : undefined;
    try {
      if (status !== undefined) {
        answer = status >= 200 && status < 300 ? { ...defaultAnswer({ method, path: reqPath, body }), status } : statusAnswer(status, { method, path: reqPath, body });
      } else {
        answer = responder ? responder({ method, path: reqPath, body }) : check ? defaultAnswer({ method, path: reqPath, body }) : { status: 404, body: 'not found' };
      }
    } catch (error) {
      answer = { status: 500, body: `responder threw: ${(error as Error).message}` };
    }
    requests.push({ at: Date.now(), method, path: reqPath, url: req.url ?? '', headers: req.headers, body, status: answer.status });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '');
    for (const wake of [...waiters]) wake();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      problems.push(`receiver failed: ${error.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const accepted = (): ReceivedRequest[] => requests.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    accepted,
    problems,
    respond(answer) {
      responder = answer;
    },
    script(statuses) {
      scripted = [...statuses];
    },
    reset() {
      requests.length = 0;
      problems.length = 0;
      scripted = [];
      responder = null;
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): boolean => {
          if (!predicate(accepted())) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const seen = requests.map((r) => `${r.method} ${r.path} → ${r.status}`).join(', ') || 'none';
          reject(new Error(`receiver at ${path}: condition not met within ${timeoutMs} ms; ${accepted().length} accepted of ${requests.length} requests (${seen})`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    async close() {
      for (const wake of [...waiters]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * PagerDuty: the Events API v2 at `url` (`/v2/enqueue`) and the Change Events API on the same host
 * (`/v2/change/enqueue`, where the service derives it from), each request checked against its API.
 * Default answer 202 `{"status":"success","message":"Event processed","dedup_key":…}` (change
 * events: `"Change event processed"`); scripted errors answer PagerDuty's error bodies.
 */
export function startPagerDutyReceiver(): Promise<LoopbackReceiver> {
  return startReceiver(
    '/v2/enqueue',
    { '/v2/enqueue': pagerDutyEventShape, '/v2/change/enqueue': pagerDutyChangeShape },
    (req) => {
      if (req.path === '/v2/change/enqueue') return { status: 202, body: JSON.stringify({ status: 'success', message: 'Change event processed' }) };
      const given: unknown = isObject(req.body) ? req.body.dedup_key : undefined;
      const dedupKey = isString(given) ? given : randomBytes(16).toString('hex');
      return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }) };
    },
    (status) => {
      if (status === 400) return { status, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ['scripted refusal'] }) };
      if (status === 429) return { status, body: JSON.stringify({ status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }) };
      return { status, body: JSON.stringify({ status: 'unavailable' }) };
    },
  );
}

const SLACK_ERRORS: Record<number, string> = { 400: 'invalid_payload', 403: 'action_prohibited', 404: 'no_service', 410: 'channel_is_archived', 429: 'rate_limited' };

/** Default answer 200 `ok`, as Slack answers; scripted errors answer Slack's error words. */
export function startSlackReceiver(): Promise<LoopbackReceiver> {
  const path = '/services/T000/B000/XXXX';
  return startReceiver(
    path,
    { [path]: slackShape },
    () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' }),
    (status) => ({ status, headers: { 'content-type': 'text/html' }, body: SLACK_ERRORS[status] ?? 'internal_error' }),
  );
}
