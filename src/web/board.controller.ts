import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '../common/domain-error';
import { BoardAssets } from './board-assets';
import { BOARD_CSP, BOARD_SHELL } from './board-shell';

/**
 * The board's pages (SPEC §9): every one is the same shell; the script picks the page from the
 * path. No scope: the shell holds no data (its data comes from the `read` API).
 */
@ApiExcludeController()
@Controller()
export class BoardController {
  constructor(private readonly assets: BoardAssets) {}

  @Get(['/', 'slos/:id', 'services/:service', 'incidents', 'incidents/:id', 'tv'])
  page(@Res() reply: FastifyReply): void {
    void reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Content-Security-Policy', BOARD_CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cache-Control', 'no-cache')
      .send(BOARD_SHELL);
  }

  /** The bundle: gzip when the browser takes it, revalidated by ETag. */
  @Get('assets/:file')
  asset(@Param('file') file: string, @Headers('accept-encoding') encoding: string | undefined, @Headers('if-none-match') etag: string | undefined, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundError(`no board asset "${file}"${file.startsWith('board.') ? ' (the board is not built: npm run build)' : ''}`);
    void reply.header('Content-Type', asset.contentType).header('ETag', asset.etag).header('Cache-Control', 'no-cache').header('X-Content-Type-Options', 'nosniff').header('Vary', 'Accept-Encoding');
    if (etag === asset.etag) {
      void reply.status(304).send();
      return;
    }
    if (encoding && /\bgzip\b/.test(encoding)) {
      void reply.header('Content-Encoding', 'gzip').send(asset.gzip);
      return;
    }
    void reply.send(asset.body);
  }
}
