import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One built file of the board, held in memory with its gzip form and an ETag. */
export interface BoardAsset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  contentType: string;
}

const TYPES: Record<string, string> = {
  'board.js': 'text/javascript; charset=utf-8',
  'board.css': 'text/css; charset=utf-8',
};

/**
 * The board's bundle (`npm run build` writes it to web/dist/ with esbuild), read once at start.
 * The directory is found from the repository root both when running the built service
 * (dist/web/…) and under the tests (src/web/…).
 */
@Injectable()
export class BoardAssets {
  private readonly logger = new Logger('Board');
  private readonly assets = new Map<string, BoardAsset>();
  readonly directory = join(__dirname, '..', '..', 'web', 'dist');

  constructor() {
    for (const [name, contentType] of Object.entries(TYPES)) {
      const path = join(this.directory, name);
      if (!existsSync(path)) continue;
      const body = readFileSync(path);
      this.assets.set(name, { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, contentType });
    }
    if (this.assets.size < Object.keys(TYPES).length) {
      this.logger.warn(`the board is not built (${this.directory} is missing files): run npm run build`);
    }
  }

  get(name: string): BoardAsset | undefined {
    return this.assets.get(name);
  }
}
