import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `slo-engine validate FILE_OR_DIR` as a process (SPEC §10): exit 0 valid with warnings, 1 invalid. */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'config', 'example.yaml');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('slo-engine validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slo-engine-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the bundled example (exit 0) and prints its warnings', () => {
    const { code, stdout } = run('validate', EXAMPLE);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^valid: 5 SLOs in 1 file/m);
    expect(stdout).toMatch(/^warning: .*development tokens/m);
  });

  it('warns about default rules left out for a short SLO window', () => {
    const file = join(dir, 'short.yaml');
    writeFileSync(file, 'slos:\n  - { id: short, service: s, objective: 99, window: 1d, sli: { source: events } }\n');
    const { code, stdout } = run('validate', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning: slos\[0\] \(short\): default rule ticket 1x 3d\/6h left out/);
  });

  it('warns about a page rule that can never fire and windows shorter than the evaluation interval', () => {
    const file = join(dir, 'weak.yaml');
    writeFileSync(
      file,
      'slos:\n  - { id: weak, service: s, objective: 90, sli: { source: events } }\nserver:\n  evaluationInterval: 10m\n',
    );
    const { code, stdout } = run('validate', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning: slos\[0\] \(weak\): rule page 14\.4x 1h\/5m can never fire: the highest possible burn rate of a 90% objective is 10/);
    expect(stdout).toMatch(/warning: slos\[0\] \(weak\): rule page 14\.4x 1h\/5m: its 5m short window is shorter than the 10m evaluation interval/);
    expect(stdout).not.toMatch(/6x 6h\/30m can never fire/);
  });

  it('refuses an invalid directory (exit 1) listing every problem with file and path', () => {
    writeFileSync(join(dir, 'a.yaml'), 'slos:\n  - { id: dup, service: s, objective: 99, sli: { source: events } }\n');
    writeFileSync(
      join(dir, 'b.yml'),
      'slos:\n  - { id: dup, service: s, objective: 99, sli: { source: events } }\n  - { id: other, service: s, objective: 0, sli: { source: events } }\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not yaml: [');
    const { code, stderr } = run('validate', dir);
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(dir, 'b.yml')}: slos[1].objective`);
    expect(stderr).toMatch(/b\.yml: slos\[0\]\.id: .*dup/);
    expect(stderr).toMatch(/^invalid: 2 problem\(s\)$/m);
  });

  it('refuses a missing file and bad usage with exit 1', () => {
    expect(run('validate', join(dir, 'missing.yaml')).code).toBe(1);
    expect(run('validate').code).toBe(1);
    expect(run('frobnicate').code).toBe(1);
  });
});
