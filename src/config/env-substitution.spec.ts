import fc from 'fast-check';
import { substituteEnv, substituteTree } from './env-substitution';

describe('substituteEnv', () => {
  it('replaces ${VAR} with the variable', () => {
    expect(substituteEnv('Bearer ${TOKEN}', { TOKEN: 'abc' })).toEqual({
      value: 'Bearer abc',
      missing: [],
      usedDefaults: [],
      malformed: [],
    });
  });

  it('reports a missing variable without default', () => {
    const result = substituteEnv('${A}-${B}', { A: 'x' });
    expect(result.value).toBe('x-');
    expect(result.missing).toEqual(['B']);
  });

  it('uses a default when the variable is unset or empty, and reports it', () => {
    expect(substituteEnv('${A:-dev}', {})).toMatchObject({ value: 'dev', usedDefaults: ['A'] });
    expect(substituteEnv('${A:-dev}', { A: '' })).toMatchObject({ value: 'dev', usedDefaults: ['A'] });
    expect(substituteEnv('${A:-dev}', { A: 'prod' })).toMatchObject({ value: 'prod', usedDefaults: [] });
  });

  it('accepts an empty default', () => {
    expect(substituteEnv('Bearer ${PROM_TOKEN:-}', {})).toMatchObject({ value: 'Bearer ', missing: [], usedDefaults: ['PROM_TOKEN'] });
  });

  it('keeps a variable set to the empty string (no default)', () => {
    expect(substituteEnv('[${A}]', { A: '' })).toMatchObject({ value: '[]', missing: [] });
  });

  it('leaves malformed references alone and reports them; $${ is not an escape', () => {
    const result = substituteEnv('a ${not valid} b ${OPEN', {});
    expect(result.value).toBe('a ${not valid} b ${OPEN');
    expect(result.malformed).toHaveLength(2);
    expect(substituteEnv('$${A}', { A: 'x' }).value).toBe('$x');
  });

  it('does not substitute inside substituted values', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });

  it('leaves text without references unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('${')), (text) => {
        const result = substituteEnv(text, {});
        expect(result).toEqual({ value: text, missing: [], usedDefaults: [], malformed: [] });
      }),
    );
  });

  it('inserts variable values verbatim (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (before, value, after) => {
        fc.pre(!before.includes('${') && !after.includes('${') && !before.endsWith('$'));
        expect(substituteEnv(`${before}\${V}${after}`, { V: value }).value).toBe(before + value + after);
      }),
    );
  });
});

describe('substituteTree', () => {
  it('substitutes string values, not keys, and reports paths', () => {
    const result = substituteTree(
      { notifiers: { 'pd-${X}': { routingKey: '${PD_ROUTING_KEY}' } }, list: ['${A:-a}', 3, null, true] },
      { X: 'nope' },
    );
    expect(result.value).toEqual({ notifiers: { 'pd-${X}': { routingKey: '' } }, list: ['a', 3, null, true] });
    expect(result.problems).toEqual([
      { path: ['notifiers', 'pd-${X}', 'routingKey'], message: 'environment variable PD_ROUTING_KEY is not set' },
    ]);
    expect(result.defaults).toEqual([{ path: ['list', 0], variables: ['A'] }]);
  });

  it('cannot inject YAML structure: a value stays one string', () => {
    const result = substituteTree({ token: '${T}' }, { T: 'x\nslos: []\n---\n' });
    expect(result.value).toEqual({ token: 'x\nslos: []\n---\n' });
  });

  it('keeps a __proto__ key as a plain key', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown;
    const result = substituteTree(input, {}).value as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
