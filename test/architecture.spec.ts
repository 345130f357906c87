import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The layer rule of STYLE.md: domain code (budget math, zones, rules, gate matrix, alert states,
 * delivery policy) imports no framework, no Redis/HTTP client, and nothing outside the domain
 * folders but config types, the pure kernel helpers and the notification message contract. The
 * whole set of direction rules is `.dependency-cruiser.cjs`, run by `npm run lint`; this test keeps
 * the domain rule visible in the test suite too. One package is allowed: Luxon (no I/O).
 */
const ROOT = join(__dirname, '..');
const DOMAIN_DIRS = ['src/slo/domain', 'src/policies/domain', 'src/notifiers/domain', 'src/alerting/domain', 'src/incidents/domain'];
const ALLOWED_OUTSIDE = ['src/config/app-config', 'src/common/duration', 'src/common/format-percent', 'src/notifiers/ports/notification-message'];
/** The one package domain code may import: Luxon, a pure date library, for calendar periods in a time zone (SPEC §4). */
const ALLOWED_PACKAGES = ['luxon'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('architecture', () => {
  const files = DOMAIN_DIRS.flatMap(sourceFiles);

  it('finds the domain files', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s imports only domain code, config types and pure kernel helpers', (file) => {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) {
        if (ALLOWED_PACKAGES.includes(spec)) continue;
        throw new Error(`${file} imports package "${spec}"`);
      }
      const target = relative(ROOT, join(ROOT, file, '..', spec));
      const allowed = DOMAIN_DIRS.some((dir) => target.startsWith(dir)) || ALLOWED_OUTSIDE.includes(target);
      if (!allowed) throw new Error(`${file} imports ${target}, outside the domain`);
    }
  });
});
