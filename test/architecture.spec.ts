import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The layer rule of STYLE.md: domain code (budget math, zones, rules, gate matrix) imports no
 * framework, no Redis/HTTP client, and nothing outside the domain folders but config types.
 */
const ROOT = join(__dirname, '..');
const DOMAIN_DIRS = ['src/slo/domain', 'src/policies/domain', 'src/notifiers/domain', 'src/alerts/domain'];

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

  it.each(files)('%s imports only domain code and config types', (file) => {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) {
        throw new Error(`${file} imports package "${spec}"`);
      }
      const target = relative(ROOT, join(ROOT, file, '..', spec));
      const allowed = DOMAIN_DIRS.some((dir) => target.startsWith(dir)) || target === 'src/config/app-config';
      if (!allowed) throw new Error(`${file} imports ${target}, outside the domain`);
    }
  });
});
