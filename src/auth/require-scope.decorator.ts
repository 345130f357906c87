import { SetMetadata } from '@nestjs/common';
import type { Scope } from '../config/app-config';

export const SCOPE_METADATA = 'slo-engine:scope';

/** The scope a route needs; routes without it are public (health, docs, the board shell). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_METADATA, scope);
