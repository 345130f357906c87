import type { Zone } from '../../slo/domain/zones';

export const CHANGE_TYPES = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A cell of the SPEC §7 matrix: what one SLO's zone says about one change type. */
export type MatrixCell = 'allow' | 'allow-with-warning' | 'deny' | 'on-unknown';

const MATRIX: Record<Zone, Record<ChangeType, MatrixCell>> = {
  normal: { feature: 'allow', fix: 'allow', rollback: 'allow', security: 'allow', 'db-migration': 'allow', infra: 'allow' },
  caution: {
    feature: 'allow-with-warning',
    fix: 'allow',
    rollback: 'allow',
    security: 'allow',
    'db-migration': 'deny',
    infra: 'deny',
  },
  freeze: { feature: 'deny', fix: 'allow', rollback: 'allow', security: 'allow', 'db-migration': 'deny', infra: 'deny' },
  exhausted: { feature: 'deny', fix: 'deny', rollback: 'allow', security: 'allow', 'db-migration': 'deny', infra: 'deny' },
  unknown: {
    feature: 'on-unknown',
    fix: 'on-unknown',
    rollback: 'allow',
    security: 'allow',
    'db-migration': 'on-unknown',
    infra: 'on-unknown',
  },
};

export function matrixCell(zone: Zone, change: ChangeType): MatrixCell {
  return MATRIX[zone][change];
}

/** allow or deny for one SLO's zone, `onUnknown` resolved. */
export function zoneDecision(zone: Zone, change: ChangeType, onUnknown: 'allow' | 'deny'): 'allow' | 'deny' {
  const cell = matrixCell(zone, change);
  if (cell === 'on-unknown') return onUnknown;
  return cell === 'deny' ? 'deny' : 'allow';
}

/** Change types an active freeze window does not block (SPEC §7). */
export const FREEZE_EXEMPT_CHANGE_TYPES: readonly ChangeType[] = ['rollback', 'security'];

export function isFreezeExempt(change: ChangeType): boolean {
  return FREEZE_EXEMPT_CHANGE_TYPES.includes(change);
}

export function isChangeType(value: unknown): value is ChangeType {
  return typeof value === 'string' && (CHANGE_TYPES as readonly string[]).includes(value);
}
