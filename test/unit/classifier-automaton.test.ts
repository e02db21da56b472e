// The compact DFA of src/classifier/automaton.ts against a plain search: every occurrence of every phrase, in the
// same order, for random phrase sets and texts; quiet phrases listed once; ASCII edges kept whole-word.
import { describe, expect, it } from 'vitest';
import { buildAutomaton, buildFold, emptyMatches, QUIET, scan } from '../../src/classifier/automaton.ts';
import { mulberry32 } from '../support/random.ts';

const fold = buildFold([['樓', '楼']]);

/** Occurrences by a plain search, sorted as scan reports them: by end, longest first among equal ends. */
function naive(patterns: string[], text: string, quiet: Uint8Array): { matches: [number, number, number][]; quiet: number[] } {
  const matches: [number, number, number][] = [];
  const quietSeen: [number, number][] = []; // id, first end
  const wordChar = (c: string | undefined) => c !== undefined && /[0-9a-z]/i.test(c);
  patterns.forEach((p, id) => {
    for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) {
      const end = at + p.length;
      if (wordChar(p[0]) && wordChar(text[at - 1])) continue;
      if (wordChar(p[p.length - 1]) && wordChar(text[end])) continue;
      if (quiet[id]) {
        if (!quietSeen.some(([q]) => q === id)) quietSeen.push([id, end]);
        else quietSeen.forEach((x) => x[0] === id && x[1] > end && (x[1] = end));
        continue;
      }
      matches.push([id, at, end]);
    }
  });
  matches.sort((a, b) => a[2] - b[2] || a[1] - b[1]);
  quietSeen.sort((a, b) => a[1] - b[1] || patterns[b[0]]!.length - patterns[a[0]]!.length);
  return { matches, quiet: quietSeen.map(([id]) => id) };
}

describe('scan finds what a plain search finds', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random phrases and texts, seed %i', (seed) => {
    const rnd = mulberry32(seed);
    const alphabet = '物业小区电梯漏水楼道没有不是ab12';
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const patterns = [...new Set(Array.from({ length: 40 + Math.floor(rnd() * 80) }, () => pick(1 + Math.floor(rnd() * 4))))];
    const quiet = Uint8Array.from(patterns, () => (rnd() < 0.2 ? 1 : 0));
    const a = buildAutomaton(patterns, fold, quiet);
    const into = emptyMatches(4); // small on purpose: the arrays must grow
    for (let k = 0; k < 20; k++) {
      const text = pick(Math.floor(rnd() * 400));
      const m = scan(a, text, into);
      const got = Array.from({ length: m.n }, (_, i) => [m.pattern[i]!, m.start[i]!, m.end[i]!]);
      const want = naive(patterns, text, quiet);
      expect(got.sort((x, y) => x[2]! - y[2]! || x[1]! - y[1]!)).toEqual(want.matches);
      expect([...m.quiet].sort()).toEqual([...want.quiet].sort());
    }
  });

  it('reports quiet phrases once, edge bits and quiet bits apart', () => {
    const a = buildAutomaton(['物业', '12345', '电梯'], fold, Uint8Array.from([1, 0, 0]));
    expect(a.edges[0]! & QUIET).toBe(QUIET);
    expect(a.edges[1]! & 3).toBe(3);
    const m = scan(a, '物业说电梯坏了，物业不管，打12345，不是13512345678');
    expect(m.quiet).toEqual([0]);
    expect(Array.from(m.pattern.subarray(0, m.n))).toEqual([2, 1]);
  });

  it('folds before matching: traditional, full-width, upper case', () => {
    const a = buildAutomaton(['楼道', 'lift'], fold);
    const m = scan(a, '樓道里的LIFT坏了，ｌｉｆｔ也坏了');
    expect(Array.from(m.pattern.subarray(0, m.n))).toEqual([0, 1, 1]);
  });
});
