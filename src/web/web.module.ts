import { Module } from '@nestjs/common';
import { BoardAssets } from './board-assets';
import { BoardController } from './board.controller';

/** What people see: the board's pages and their bundle (the metrics endpoint is the metrics room's). */
@Module({ controllers: [BoardController], providers: [BoardAssets] })
export class WebModule {}
