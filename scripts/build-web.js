#!/usr/bin/env node
// Bundles the board's front end (web/src, TypeScript + uPlot) into web/dist/ with esbuild:
// board.js (one minified script, no inline code: the page's CSP forbids it) and board.css
// (the board's styles with uPlot's). Part of `npm run build`; the service serves web/dist/ (outside dist/, which nest build empties).
const { build } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..');

async function main() {
  const common = { bundle: true, minify: true, logLevel: 'warning', legalComments: 'none', absWorkingDir: root };
  await Promise.all([
    build({ ...common, entryPoints: ['web/src/main.ts'], outfile: 'web/dist/board.js', format: 'iife', target: ['es2020'], platform: 'browser' }),
    build({ ...common, entryPoints: ['web/src/board.css'], outfile: 'web/dist/board.css' }),
  ]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
