import { Module } from '@nestjs/common';
import { BoardController } from './board.controller';

/** What people see: the budget board (metrics endpoint comes with the metrics issue). */
@Module({ controllers: [BoardController] })
export class WebModule {}
