#!/usr/bin/env node
// `npm start` builds first when dist/ is missing or older than any file under src/ (or web/, for the board).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'main.js');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const board = join(root, 'web', 'dist', 'board.js');
const stale = (file, ...dirs) => !existsSync(file) || dirs.some((dir) => statSync(file).mtimeMs < newest(join(root, dir)));

if (stale(built, 'src') || stale(board, 'web/src')) {
  // `npm run build`: the service (nest build, which empties dist/) and then the board's bundle
  const steps = [[require.resolve('@nestjs/cli/bin/nest.js'), 'build'], [join(__dirname, 'build-web.js')]];
  for (const args of steps) {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
