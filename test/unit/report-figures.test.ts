// Annex 3's hand-entered figures: which entry a report of a given day shows (src/report/figures.ts).
import { describe, expect, it } from 'vitest';
import { latestFigures, MANUAL_FIGURES, type FigureEntry } from '../../src/report/figures.ts';

let nextId = 1;
const e = (county: string, figure: string, value: number, asOf: string, id = nextId++): FigureEntry => ({
  id,
  county,
  figure,
  value,
  asOf,
  enteredBy: null,
  enteredAt: `${asOf}T00:00:00.000Z`,
});

describe('latestFigures', () => {
  it.each<[string, FigureEntry[], string, Record<string, Record<string, number>>]>([
    ['nothing entered', [], '2026-11-27', {}],
    ['one entry on the day counts', [e('yanhu', 'inspections', 3, '2026-11-27')], '2026-11-27', { yanhu: { inspections: 3 } }],
    ['an entry after the day does not', [e('yanhu', 'inspections', 3, '2026-11-28')], '2026-11-27', {}],
    [
      'the latest day wins, whatever the order of entry',
      [e('yanhu', 'inspections', 7, '2026-11-25', 10), e('yanhu', 'inspections', 3, '2026-11-20', 11)],
      '2026-11-27',
      { yanhu: { inspections: 7 } },
    ],
    [
      'on the same day the later entry (a correction) wins',
      [e('yanhu', 'regraded', 1, '2026-11-26', 20), e('yanhu', 'regraded', 0, '2026-11-26', 21)],
      '2026-11-27',
      { yanhu: { regraded: 0 } },
    ],
    [
      'figures and counties are independent',
      [e('yanhu', 'inspections', 4, '2026-11-01'), e('yanhu', 'exposedCompanies', 1, '2026-11-20'), e('hejin', 'inspections', 2, '2026-11-02')],
      '2026-11-27',
      { yanhu: { inspections: 4, exposedCompanies: 1 }, hejin: { inspections: 2 } },
    ],
    ['a figure that is computed from the cases is never taken from an entry', [e('yanhu', 'cityReceived', 99, '2026-11-01')], '2026-11-27', {}],
  ])('%s', (_name, entries, day, want) => {
    expect(latestFigures(entries, day)).toEqual(want);
  });

  it('names the 5 查处 and 4 督导检查 figures of annex 3, each with its own CLI flag', () => {
    expect(MANUAL_FIGURES.map((f) => f.label.split('·')[0])).toEqual([...Array(5).fill('查处'), ...Array(4).fill('督导检查')]);
    expect(new Set(MANUAL_FIGURES.map((f) => f.flag)).size).toBe(MANUAL_FIGURES.length);
    // commander turns --kebab-case into camelCase: the flag must land on the figure's key.
    for (const f of MANUAL_FIGURES) expect(f.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())).toBe(f.key);
  });
});
