import {
  CHANGE_TYPES,
  FREEZE_EXEMPT_CHANGE_TYPES,
  isChangeType,
  isFreezeExempt,
  matrixCell,
  zoneDecision,
  type ChangeType,
  type MatrixCell,
} from './gate-matrix';
import type { Zone } from '../../slo/domain/zones';

/** SPEC §7, copied by hand: columns feature, fix, rollback, security, db-migration, infra. */
const SPEC_CELLS: Array<[Zone, MatrixCell[]]> = [
  ['normal', ['allow', 'allow', 'allow', 'allow', 'allow', 'allow']],
  ['caution', ['allow-with-warning', 'allow', 'allow', 'allow', 'deny', 'deny']],
  ['freeze', ['deny', 'allow', 'allow', 'allow', 'deny', 'deny']],
  ['exhausted', ['deny', 'deny', 'allow', 'allow', 'deny', 'deny']],
  ['unknown', ['on-unknown', 'on-unknown', 'allow', 'allow', 'on-unknown', 'on-unknown']],
];
const COLUMNS: ChangeType[] = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'];

/** The resolved decision, written out again for each policy.onUnknown (A = allow, D = deny). */
const SPEC_DECISIONS: Record<'allow' | 'deny', Record<Zone, string>> = {
  deny: { normal: 'AAAAAA', caution: 'AAAADD', freeze: 'DAAADD', exhausted: 'DDAADD', unknown: 'DDAADD' },
  allow: { normal: 'AAAAAA', caution: 'AAAADD', freeze: 'DAAADD', exhausted: 'DDAADD', unknown: 'AAAAAA' },
};

const cellCases = SPEC_CELLS.flatMap(([zone, cells]) =>
  cells.map((cell, i) => [zone, COLUMNS[i], cell] as [Zone, ChangeType, MatrixCell]),
);
const decisionCases = (['allow', 'deny'] as const).flatMap((onUnknown) =>
  SPEC_CELLS.flatMap(([zone]) =>
    COLUMNS.map(
      (change, i) =>
        [onUnknown, zone, change, SPEC_DECISIONS[onUnknown][zone][i] === 'A' ? 'allow' : 'deny'] as [
          'allow' | 'deny',
          Zone,
          ChangeType,
          'allow' | 'deny',
        ],
    ),
  ),
);

describe('gate matrix (SPEC §7)', () => {
  it('covers the six change types of the SPEC, in its order', () => {
    expect([...CHANGE_TYPES]).toEqual(COLUMNS);
  });

  it('has 30 cells', () => {
    expect(cellCases).toHaveLength(30);
  });

  it.each(cellCases)('%s × %s is %s', (zone, change, cell) => {
    expect(matrixCell(zone, change)).toBe(cell);
  });

  it.each(decisionCases)('onUnknown=%s: %s × %s → %s', (onUnknown, zone, change, expected) => {
    expect(zoneDecision(zone, change, onUnknown)).toBe(expected);
  });

  it('rollback and security are allowed in every zone whatever onUnknown says', () => {
    for (const [zone] of SPEC_CELLS) {
      for (const change of ['rollback', 'security'] as const) {
        expect(zoneDecision(zone, change, 'deny')).toBe('allow');
      }
    }
  });
});

describe('freeze exemption', () => {
  it.each<[ChangeType, boolean]>([
    ['feature', false],
    ['fix', false],
    ['rollback', true],
    ['security', true],
    ['db-migration', false],
    ['infra', false],
  ])('%s exempt: %p', (change, exempt) => {
    expect(isFreezeExempt(change)).toBe(exempt);
  });

  it('lists exactly rollback and security', () => {
    expect([...FREEZE_EXEMPT_CHANGE_TYPES].sort()).toEqual(['rollback', 'security']);
  });
});

describe('isChangeType', () => {
  it.each(COLUMNS)('accepts %s', (change) => {
    expect(isChangeType(change)).toBe(true);
  });

  it.each<unknown>(['Feature', 'deploy', '', null, undefined, 3, ['fix']])('refuses %p', (value) => {
    expect(isChangeType(value)).toBe(false);
  });
});
