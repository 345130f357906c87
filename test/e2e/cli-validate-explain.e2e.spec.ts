import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';

/** `slo-engine validate --explain FILE_OR_DIR` as a process (SPEC §3 "OpenSLO v1", §10). */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURES = join(__dirname, '..', 'fixtures', 'openslo');
/** the secrets of the DataSource of calendar-paris.yaml */
const SECRETS = ['Hunter2-Thanos-Pass', 'slo-reader:Hunter2', 'tok-8d1f3c2b-SECRET', 'tenant-7f3a-SECRET'];

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `#`-comment lines and the YAML they frame: the native SLOs printed (a YAML list each). */
function nativeSlos(stdout: string): unknown[] {
  const blocks = stdout.split(/^# OpenSLO SLO .* becomes:$/m).slice(1);
  return blocks.map((block) => {
    const yaml = block.split(/^# keys ignored/m)[0];
    return (parse(yaml) as unknown[])[0];
  });
}

describe('slo-engine validate --explain', () => {
  it('prints the native SLO each OpenSLO SLO became and the keys ignored, never a DataSource secret', () => {
    const file = join(FIXTURES, 'calendar-paris.yaml');
    const { code, stdout, stderr } = run('validate', '--explain', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`# OpenSLO SLO "orders-monthly" (${file}: documents[1]) becomes:`);
    expect(nativeSlos(stdout)).toEqual([
      {
        id: 'orders-monthly',
        service: 'orders',
        objective: 99.5,
        window: { calendar: 'month', timeZone: 'Europe/Paris' },
        sli: {
          source: 'prometheus',
          goodQuery: 'sum(increase(orders_processed_total{status="ok"}[{{window}}]))',
          totalQuery: 'sum(increase(orders_processed_total[{{window}}]))',
        },
        alerting: {
          rules: [
            { severity: 'page', burnRate: 10, long: '30m', short: '2m30s' },
            { severity: 'ticket', burnRate: 2, long: '13m', short: '1m5s' },
          ],
        },
      },
    ]);
    expect(stdout).toMatch(/^# keys ignored \(not used by the engine\):$/m);
    expect(stdout).toContain(`#   ${file}: documents[1].spec.alertPolicies[0].spec.conditions[0].spec.condition.alertAfter`);
    expect(stdout).toMatch(/^warning: .*the query has no window placeholder: read as the counter/m);
    expect(stdout).toMatch(/^valid: 1 SLOs in 1 file\(s\)$/m);
    for (const secret of SECRETS) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  });

  it('explains SLOs assembled from several files of a directory', () => {
    const dir = join(FIXTURES, 'cross-file');
    const { code, stdout } = run('validate', dir, '--explain');
    expect(code).toBe(0);
    expect(nativeSlos(stdout)).toEqual([
      expect.objectContaining({
        id: 'checkout-availability',
        window: '28d',
        sli: expect.objectContaining({ errorQuery: 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[{{window}}]))' }),
      }),
    ]);
    expect(stdout).toContain(`#   ${join(dir, 'alerts.yaml')}: documents[1].spec.condition.alertAfter`);
  });

  it('plain validate prints the warnings but no explanation', () => {
    const { code, stdout } = run('validate', join(FIXTURES, 'calendar-paris.yaml'));
    expect(code).toBe(0);
    expect(stdout).not.toContain('# OpenSLO SLO');
    expect(stdout).toMatch(/^warning: .*AlertNotificationTarget|^warning: .*read as the counter/m);
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);
  });

  it('refuses an OpenSLO config with one line per problem naming the file and the path (exit 1)', () => {
    const file = join(FIXTURES, 'bad-conditions.yaml');
    const { code, stdout, stderr } = run('validate', '--explain', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`error: ${file}: [3].spec.condition.op: must be gt or gte (got lt)`);
    expect(stderr).toContain(`error: ${file}: [2].spec.conditions[2].spec.condition.threshold: must be greater than 0 (got 0)`);
    expect(stderr).toMatch(/^invalid: 4 problem\(s\)$/m);
  });

  it('bad usage exits 1 with the usage', () => {
    const { code, stderr } = run('validate', '--explain');
    expect(code).toBe(1);
    expect(stderr).toContain('slo-engine validate --explain FILE_OR_DIR');
  });
});
