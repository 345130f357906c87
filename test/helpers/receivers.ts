import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type Options as AjvOptions } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { freePort } from './free-port';

/**
 * Loopback stand-ins for PagerDuty (Events API v2 and Change Events, one server for both) and a
 * Slack incoming webhook: the only fakes of those services the tests use. They record every request
 * with the status it was answered, and check each against the published request shape: every
 * violation is one line in `problems`, which tests assert stays empty. What they answer is the
 * service's usual success, unless a test scripts statuses (`script`) or a responder (`respond`).
 *
 * PagerDuty requests are checked twice: against PagerDuty's official Events API v2 OpenAPI document
 * (`../shared/external/pagerduty/`, beside this checkout; never copied into the repo) with ajv, and
 * against the hand-written rules below, which add what the document leaves to prose (a 32-character
 * routing key, `summary` ≤ 1,024 characters, `dedup_key` ≤ 255, no unknown keys, a body ≤ 512 KB).
 * Without that folder (a plain clone) only the hand-written rules run, and the first receiver a test
 * file starts says so once (`console.warn`).
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
/**
 * A responder's answer that is none: the request is read and held open, never answered (a receiver
 * that hangs: the sender's timeout, or its death, ends it). Recorded at once with status 0.
 */
export const NO_ANSWER = 'no answer';
/**
 * A responder's answer that never ends: 202 and JSON headers at once, then a space every 100 ms,
 * forever (the socket is never idle, so an idle timeout never fires). Recorded with status 0.
 */
export const TRICKLE = 'trickle';
/** A test's answer to each request; `undefined` for the receiver's default answer. */
export type ReceiverResponder = (req: { method: string; path: string; body: any }) => ReceiverAnswer | typeof NO_ANSWER | typeof TRICKLE | undefined;

export interface LoopbackReceiver {
  /** PagerDuty: http://127.0.0.1:PORT/v2/enqueue ; Slack: http://127.0.0.1:PORT/services/T000/B000/XXXX */
  url: string;
  /** every request, with the status it was answered (0: no whole answer, held open or trickled) */
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

type Check = (req: { method: string; path: string; headers: IncomingHttpHeaders; body: any; bytes: number }) => string[];
type DefaultAnswer = (req: { method: string; path: string; body: any; bytes: number }) => ReceiverAnswer;
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

/** PagerDuty refuses a bigger event body (SPEC §6: 512 KB, read as 512,000 bytes, the stricter way). */
export const PAGERDUTY_MAX_BODY_BYTES = 512_000;

function bodySize(req: { bytes: number }): string[] {
  return req.bytes > PAGERDUTY_MAX_BODY_BYTES ? [`body of ${req.bytes} bytes is over PagerDuty's 512 KB`] : [];
}

/** The checkout's root: the nearest folder up with a package.json (from test/helpers, or dist-bench/test/helpers for the bench). */
function checkoutRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where PagerDuty's official Events API v2 document lies: `shared/external/` beside this checkout. */
export const PAGERDUTY_SCHEMA_FILE = join(checkoutRoot(), '..', 'shared', 'external', 'pagerduty', 'events-v2.openapiv3.json');

export interface OfficialPagerDutySchema {
  /** the upstream commit the document names (its `x-source`) */
  commit: string;
  /** the document's request schemas, as ajv reads them: one problem line per violation */
  event(body: unknown): string[];
  change(body: unknown): string[];
  /** the request examples the document gives, by path */
  examples: Record<'/enqueue' | '/change/enqueue', unknown[]>;
}

const DOC_ID = 'pagerduty-events-v2';
const ISO_8601_DATE_TIME = (s: string): boolean => ISO_8601.test(s) && !Number.isNaN(Date.parse(s));
const HTTP_URL = (s: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

/** Every `x-…` key of the document's schemas (annotations: ajv in strict mode must be told of them). */
function extensionKeys(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => extensionKeys(v, found));
  else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('x-')) found.add(key);
      extensionKeys(v, found);
    }
  }
  return found;
}

/** `#/components/…` → the same place in the document added to ajv under DOC_ID. */
function againstDocument(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(againstDocument);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && isString(value) && value.startsWith('#/') ? `${DOC_ID}${value}` : againstDocument(value)]),
  );
}

/**
 * Compiles the document's two request schemas with the JSON Schema draft it declares: an OpenAPI
 * 3.1 document's Schema Objects are JSON Schema 2020-12 (Ajv2020); an OpenAPI 3.0 document's
 * (PagerDuty's is 3.0.2) are "an extended subset of JSON Schema Wright Draft 00" (draft-05, whose
 * meta-schema is draft-04), which Ajv 8 reads with its draft-07 class (draft-04 itself needs the
 * separate ajv-draft-04 package): the keywords the two drafts read differently (`id`, boolean
 * `exclusiveMinimum`/`exclusiveMaximum`) are refused by Ajv in strict mode, so a document using
 * them fails here, loudly, instead of being read wrong; OpenAPI 3.0's `nullable` Ajv reads natively.
 * The document's formats `url` (an OpenAPI-only name) and `date-time` are read as PagerDuty's
 * examples write them (an absolute http(s) URL; ISO 8601, `+0000` offsets included).
 */
export function compileOfficialPagerDutySchema(doc: any): OfficialPagerDutySchema {
  const version = String(doc?.openapi ?? '');
  const options: AjvOptions = { strict: true, allErrors: true };
  let ajv: Ajv | Ajv2020;
  if (/^3\.1\./.test(version)) ajv = new Ajv2020(options);
  else if (/^3\.0\./.test(version)) ajv = new Ajv(options);
  else throw new Error(`${PAGERDUTY_SCHEMA_FILE}: OpenAPI version "${version}" is neither 3.0 nor 3.1`);
  const media = (path: '/enqueue' | '/change/enqueue') => doc.paths[path].post.requestBody.content['application/json'];
  // the document's own keys and OpenAPI's annotations on Schema Objects: no validation meaning
  const annotations = extensionKeys([doc.components, media('/enqueue').schema, media('/change/enqueue').schema]);
  ajv.addVocabulary(['components', 'example', 'externalDocs', 'xml', ...annotations]);
  ajv.addFormat('url', { type: 'string', validate: HTTP_URL });
  ajv.addFormat('date-time', { type: 'string', validate: ISO_8601_DATE_TIME });
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  const compile = (path: '/enqueue' | '/change/enqueue') => {
    const validate = ajv.compile(againstDocument(media(path).schema) as object);
    return (body: unknown): string[] =>
      validate(body) ? [] : (validate.errors ?? []).map((e) => `schema: ${e.instancePath || 'body'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
  };
  const examples = (path: '/enqueue' | '/change/enqueue'): unknown[] => Object.values<{ value: unknown }>(media(path).examples ?? {}).map((e) => e.value);
  return {
    commit: String(doc['x-source']?.commit ?? 'unknown'),
    event: compile('/enqueue'),
    change: compile('/change/enqueue'),
    examples: { '/enqueue': examples('/enqueue'), '/change/enqueue': examples('/change/enqueue') },
  };
}

let official: OfficialPagerDutySchema | null | undefined;

/**
 * PagerDuty's official schema, compiled once per test file; null (and one `console.warn`) when
 * `shared/external/pagerduty/` is not beside this checkout.
 */
export function officialPagerDutySchema(): OfficialPagerDutySchema | null {
  if (official === undefined) {
    if (existsSync(PAGERDUTY_SCHEMA_FILE)) {
      official = compileOfficialPagerDutySchema(JSON.parse(readFileSync(PAGERDUTY_SCHEMA_FILE, 'utf8')));
    } else {
      official = null;
      console.warn(
        `PagerDuty's official Events API v2 schema was not found at ${PAGERDUTY_SCHEMA_FILE}: skipped; ` +
          'the loopback PagerDuty checks requests with the hand-written rules only.',
      );
    }
  }
  return official;
}

/** Events API v2 (`POST /v2/enqueue`). */
const pagerDutyEventShape: Check = (req) => {
  const problems = [...jsonPost(req), ...bodySize(req), ...(officialPagerDutySchema()?.event(req.body) ?? [])];
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
  const problems = [...jsonPost(req), ...bodySize(req), ...(officialPagerDutySchema()?.change(req.body) ?? [])];
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

function readBody(req: IncomingMessage): Promise<{ raw: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve({ raw: all.toString('utf8'), bytes: all.length });
    });
    req.on('error', reject);
  });
}

export interface ReceiverOptions {
  /** listen here (a receiver coming back where a test's notifier points); default a free port */
  port?: number;
}

async function startReceiver(
  path: string,
  routes: Record<string, Check>,
  defaultAnswer: DefaultAnswer,
  statusAnswer: StatusAnswer,
  options: ReceiverOptions = {},
): Promise<LoopbackReceiver> {
  const port = options.port ?? (await freePort());
  const requests: ReceivedRequest[] = [];
  const problems: string[] = [];
  const waiters = new Set<() => void>();
  let responder: ReceiverResponder | null = null;
  let scripted: number[] = [];
  const trickles = new Set<NodeJS.Timeout>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { raw, bytes } = await readBody(req);
    let body: any = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      /* kept as text; the shape check says so */
    }
    const method = req.method ?? '';
    const reqPath = (req.url ?? '').split('?')[0];
    const check: Check | undefined = Object.prototype.hasOwnProperty.call(routes, reqPath) ? routes[reqPath] : undefined;
    if (check) problems.push(...check({ method, path: reqPath, headers: req.headers, body, bytes }).map((p) => `${method} ${reqPath}: ${p}`));
    else problems.push(`${method} ${reqPath}: unknown path`);
    let answer: ReceiverAnswer | typeof NO_ANSWER | typeof TRICKLE;
    const status = check ? scripted.shift() : undefined;
    const request = { method, path: reqPath, body, bytes };
    try {
      if (status !== undefined) {
        answer = status >= 200 && status < 300 ? { ...defaultAnswer(request), status } : statusAnswer(status, request);
      } else {
        answer = responder?.(request) ?? (check ? defaultAnswer(request) : { status: 404, body: 'not found' });
      }
    } catch (error) {
      answer = { status: 500, body: `responder threw: ${(error as Error).message}` };
    }
    requests.push({ at: Date.now(), method, path: reqPath, url: req.url ?? '', headers: req.headers, body, status: typeof answer === 'string' ? 0 : answer.status });
    if (answer === TRICKLE) {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.flushHeaders();
      const timer = setInterval(() => res.write(' '), 100);
      trickles.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        trickles.delete(timer);
      });
    } else if (answer !== NO_ANSWER) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    }
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
      for (const timer of trickles) clearInterval(timer);
      trickles.clear();
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
export function startPagerDutyReceiver(options: ReceiverOptions = {}): Promise<LoopbackReceiver> {
  officialPagerDutySchema(); // loaded (or its absence told) when the first receiver starts
  return startReceiver(
    '/v2/enqueue',
    { '/v2/enqueue': pagerDutyEventShape, '/v2/change/enqueue': pagerDutyChangeShape },
    (req) => {
      // as PagerDuty does: a body over 512 KB is refused, for good
      if (req.bytes > PAGERDUTY_MAX_BODY_BYTES) return { status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ['Payload too large'] }) };
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
    options,
  );
}

const SLACK_ERRORS: Record<number, string> = { 400: 'invalid_payload', 403: 'action_prohibited', 404: 'no_service', 410: 'channel_is_archived', 429: 'rate_limited' };

/** Default answer 200 `ok`, as Slack answers; scripted errors answer Slack's error words. */
export function startSlackReceiver(options: ReceiverOptions = {}): Promise<LoopbackReceiver> {
  const path = '/services/T000/B000/XXXX';
  return startReceiver(
    path,
    { [path]: slackShape },
    () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' }),
    (status) => ({ status, headers: { 'content-type': 'text/html' }, body: SLACK_ERRORS[status] ?? 'internal_error' }),
    options,
  );
}
