import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';
import { testConfig } from '../helpers/configs';

/**
 * SPEC §12 last row, for the config: random YAML text and random structures dumped as YAML at the
 * config loader always give problems (file, path, message) — or a config, when valid by chance —
 * and never a thrown stack trace; `slo-engine validate` exits 1 on invalid ones, one line per
 * problem. Bounded: at most 200 runs per property (FUZZ_RUNS, FUZZ_SEED as in http.fuzz.spec.ts).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns: Math.min(numRuns, RUNS), ...(SEED === undefined ? {} : { seed: SEED }) });

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const ENV = { PAGERDUTY_KEY: 'pd-routing-key-0123456789', EMPTY: '' };

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slo-engine-config-fuzz-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(text: string): string {
  const file = join(dir, `config-${++counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Loads the text as a config file: a config, or the problems — anything thrown but a ConfigError fails the property. */
function load(text: string): { valid: true } | { valid: false; problems: ConfigProblem[] } {
  const file = write(text);
  try {
    loadConfig({ path: file, env: ENV });
    return { valid: true };
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw new Error(`the loader threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n--- for the YAML:\n${text.slice(0, 500)}`);
    }
    if (error.problems.length === 0) throw new Error(`a ConfigError without problems for:\n${text.slice(0, 500)}`);
    for (const problem of error.problems) {
      const ok = problem.file === file && typeof problem.path === 'string' && typeof problem.message === 'string' && problem.message.length > 0;
      if (!ok) throw new Error(`a malformed problem ${JSON.stringify(problem)} for:\n${text.slice(0, 500)}`);
      if (/\n\s+at /.test(problem.message)) throw new Error(`a stack trace in a problem: ${problem.message}`);
    }
    return { valid: false, problems: error.problems };
  }
}

// ---------------------------------------------------------------- arbitraries

const YAML_TOKENS = [
  'slos:', 'server:', 'auth:', 'policy:', 'sources:', 'notifiers:', 'routes:', 'heartbeat:', 'apiVersion: openslo/v1', 'kind: SLO',
  '- ', '  ', '    ', '\n', '\n  - ', ': ', ':', '{', '}', '[', ']', ',', '"', "'", '#', '|', '>', '|-', '---', '...', '?', '\t',
  '&a ', '*a', '<<: *a', '!!str ', '!!int ', '!!binary ', '!!js/function ', '!!set ', '!!omap ', '!custom ', '%YAML 1.2', '%TAG ! tag:x,2000:',
  '${PAGERDUTY_KEY}', '${MISSING}', '${EMPTY:-x}', '${', '$${X}', 'id: a', 'service: s', 'objective: 99.9', 'objective: 100', 'objective: .nan',
  'objective: .inf', 'window: 30d', 'window: 0s', 'window: 99999999999d', 'sli: { source: events }', 'source: prometheus', 'goodQuery: x',
  'totalQuery: y', 'tokens:', 'token: abc', 'scopes: [read]', 'publicRead: true', 'redisUrl: redis://x', 'evaluationInterval: 1ms',
  'type: pagerduty', 'routingKey: ${PAGERDUTY_KEY}', 'match: { severity: page }', 'notify: [x]', '__proto__:', 'constructor:', 'prototype:',
  '1e400', '0x1F', '0o17', '~', 'null', 'true', 'yes', '2026-11-31', '\u0000', '\uFEFF', '\uD800', '💥', 'é',
];

const yamlText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 6 })), { maxLength: 60 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '---\n---\n',
      'a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
      `slos: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`,
      `slos:\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}- `).join('\n')}x\n`,
      'slos: !!binary aGVsbG8=\n',
      'slos:\n  - id: a\n    id: b\n',
      `${'x'.repeat(100_000)}: 1\n`,
    ),
  },
);

const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 20 }),
    fc.constantFrom('events', 'prometheus', 'page', 'ticket', '30d', '5m', '${MISSING}', '${PAGERDUTY_KEY}', '', '__proto__', 'read', 'gate', '*'),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('slos', 'id', 'service', 'objective', 'window', 'sli', 'source', 'alerting', 'rules', 'auth', 'tokens', 'server', '__proto__', 'constructor')), tie('value'), { maxKeys: 4 }),
  ),
}));

const BASE: Record<string, unknown> = parse(testConfig());

/** A valid config with one to three places changed: a value replaced, a key removed or added. */
const mutatedConfig: fc.Arbitrary<unknown> = fc
  .array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.constantFrom('replace', 'delete', 'add'), anyValue, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 3 })
  .map((edits) => {
    const config = structuredClone(BASE) as unknown;
    for (const [route, action, value, newKey] of edits) {
      let parent: unknown = null;
      let key: string | number | null = null;
      let node: unknown = config;
      for (const step of route) {
        if (node === null || typeof node !== 'object') break;
        const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
        if (keys.length === 0) break;
        parent = node;
        key = keys[step % keys.length];
        node = (node as Record<string | number, unknown>)[key];
      }
      if (parent === null || key === null) continue;
      const target = parent as Record<string | number, unknown>;
      if (action === 'replace') target[key] = value;
      else if (action === 'delete') {
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
      } else if (!Array.isArray(target)) target[newKey] = value;
      else target.push(value);
    }
    return config;
  });

/**
 * A self-referencing alias (`a: &a {b: *a}`) makes a circular value; the loader answers it with a
 * problem (it used to walk it forever: RangeError). `selfReferencing` finds such texts for the test.
 */
function selfReferencing(text: string): boolean {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: -1, logLevel: 'silent' });
  } catch {
    return false;
  }
  const stack = new Set<unknown>();
  const cyclic = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object') return false;
    if (stack.has(node)) return true;
    stack.add(node);
    const found = Object.values(node as Record<string, unknown>).some(cyclic);
    stack.delete(node);
    return found;
  };
  return cyclic(value);
}

// ---------------------------------------------------------------- properties

describe('config fuzzing (SPEC §12: problems with file, path and message; never a stack trace)', () => {
  it('random YAML text', () => {
    fc.assert(
      fc.property(yamlText, (text) => {
        load(text);
      }),
      params(200),
    );
  });

  it('random structures dumped as YAML', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        load(stringify(value));
      }),
      params(150),
    );
  });

  it('a valid config with random changes', () => {
    let invalid = 0;
    fc.assert(
      fc.property(mutatedConfig, (config) => {
        if (!load(stringify(config)).valid) invalid++;
      }),
      params(200),
    );
    expect(invalid).toBeGreaterThan(0);
  });

  it('a self-referencing YAML alias is a problem naming where, not a RangeError', () => {
    expect(selfReferencing('a: &a\n  b: *a\n')).toBe(true);
    for (const text of ['a: &a\n  b: *a\n', 'slos: &s\n  - *s\n', 'slos:\n  - &x { id: a, service: s, objective: 99, sli: { source: events }, labels: { self: *x } }\n']) {
      expect(selfReferencing(text)).toBe(true);
      expect(load(text).valid).toBe(false);
    }
  });

  it('`slo-engine validate` exits 1 on invalid ones, one `error:` line per problem, no stack trace', () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run \`npx nest build\` first`);
    const samples = [
      ...fc.sample(yamlText, { numRuns: 30, seed: 9 }),
      ...fc.sample(mutatedConfig.map((c) => stringify(c)), { numRuns: 30, seed: 9 }),
    ].filter((text) => !load(text).valid);
    const picked = [samples[0], samples[Math.floor(samples.length / 2)], samples[samples.length - 1], '']; // and an empty file
    for (const text of picked) {
      const file = write(text);
      const run = spawnSync(process.execPath, [CLI, 'validate', file], { env: { PATH: process.env.PATH ?? '', ...ENV }, encoding: 'utf8', timeout: 20_000 });
      const where = `validate on:\n${text.slice(0, 300)}\n--- stderr:\n${run.stderr}`;
      expect([run.status, where]).toEqual([1, where]);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      const lines = run.stderr.trim().split('\n');
      expect(lines[lines.length - 1]).toMatch(/^invalid: \d+ problem\(s\)$/);
      for (const line of lines.slice(0, -1)) expect(line.startsWith(`error: ${file}: `)).toBe(true);
    }
  });
});
