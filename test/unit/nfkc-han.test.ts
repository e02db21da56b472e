// Migration 0018's partial index lists the cases whose text holds a character NFKC turns into a Han character;
// PostgreSQL's search normalises only those cases' text before looking for a Chinese word in it (case-search.ts).
// A character left out of the ranges would hide such a case from a search: every one must be in.
import { describe, expect, it } from 'vitest';
import { DOCUMENT_COLUMNS } from '../../src/store/case-text.ts';
import { NFKC_HAN_COLUMNS, NFKC_HAN_RANGES } from '../../src/store/migrations/0018_case_search_nfkc.ts';

const HAN = /\p{Script=Han}/u;
const inRanges = (c: number) => NFKC_HAN_RANGES.some(([a, b]) => c >= a && c <= b);

describe('the characters NFKC turns into Han ones (migration 0018)', () => {
  it('are all within the ranges the partial index tests', () => {
    const missing: string[] = [];
    let found = 0;
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      const n = s.normalize('NFKC');
      if (n === s || !HAN.test(n)) continue;
      found++;
      if (!inRanges(c)) missing.push(`U+${c.toString(16).toUpperCase()}`);
    }
    expect(missing).toEqual([]);
    // Kangxi radicals, compatibility ideographs, circled and squared ideographs: about 1,300 characters.
    expect(found).toBeGreaterThan(1000);
  });

  it('are looked for in every column the search index is made of', () => {
    // A column added to the index needs a new migration: the partial index cannot be changed in place.
    expect([...NFKC_HAN_COLUMNS]).toEqual([...DOCUMENT_COLUMNS]);
  });

  it.each([
    ['⽔ Kangxi radical water', 0x2f54, '水'],
    ['豈 compatibility ideograph', 0xf900, '豈'],
    ['㊀ circled ideograph one', 0x3280, '一'],
    ['🈚 squared ideograph', 0x1f21a, '無'],
  ])('include %s', (_name, c, han) => {
    expect(inRanges(c)).toBe(true);
    expect(String.fromCodePoint(c).normalize('NFKC')).toBe(han);
  });
});
