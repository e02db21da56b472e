// The mutation generator of the hostile-input suite: deterministic, and each mutation does what it says (so a
// passing hostile suite is not passing on untouched input).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyMutation,
  CHEAP_MUTATIONS,
  deepNesting,
  hugeHeaderLine,
  hugeSingleLine,
  manyParts,
  mutants,
  pathologicalHtml,
  rebuildMutant,
  seededRng,
  splitMail,
  withAttachment,
} from '../support/mutate.ts';

const FIXTURE = readFileSync(path.resolve(process.cwd(), 'test/fixtures/mail/utf8-base64.eml'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mutate', () => {
  it('is deterministic: the same seed gives the same bytes', () => {
    const a = [...mutants([{ name: 'f', raw: FIXTURE }], 200, 7)].map((m) => sha(m.raw));
    const b = [...mutants([{ name: 'f', raw: FIXTURE }], 200, 7)].map((m) => sha(m.raw));
    const c = [...mutants([{ name: 'f', raw: FIXTURE }], 200, 8)].map((m) => sha(m.raw));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBeGreaterThan(150);
  });

  it('labels every mutant with its base, kinds and seed; the label rebuilds the same bytes', () => {
    const all = [...mutants([{ name: 'fixture.eml', raw: FIXTURE }], 60, 3)];
    expect(all.some((m) => m.kinds.length > 1)).toBe(true);
    for (const m of all) {
      expect(m.label).toMatch(/^fixture\.eml#[a-zA-Z0-9+]+@\d+$/);
      expect(sha(rebuildMutant(m.label, FIXTURE))).toBe(sha(m.raw));
    }
  });

  it.each(CHEAP_MUTATIONS)('%s changes the mail', (kind) => {
    const changed = Array.from({ length: 20 }, (_, i) => applyMutation(FIXTURE, kind, seededRng(i + 1))).filter((b) => !b.equals(FIXTURE)).length;
    expect(changed).toBeGreaterThanOrEqual(18);
  });

  it('each mutation does its kind of damage', () => {
    const rng = () => seededRng(5);
    expect(applyMutation(FIXTURE, 'truncate', rng()).length).toBeLessThan(FIXTURE.length);
    expect(applyMutation(FIXTURE, 'nulBytes', rng()).includes(0)).toBe(true);
    expect(splitMail(applyMutation(FIXTURE, 'noBlankLine', rng())).sep.length).toBe(0);
    expect(applyMutation(FIXTURE, 'wrongCharset', rng()).toString('latin1')).toMatch(/charset="?(gb2312|big5|iso-8859-1)/i);
    expect(applyMutation(FIXTURE, 'brokenQp', rng()).toString('latin1')).toMatch(/Content-Transfer-Encoding: quoted-printable/);
    expect(applyMutation(FIXTURE, 'brokenBase64', rng()).toString('latin1')).toMatch(/Content-Transfer-Encoding: base64/);
    const dup = applyMutation(FIXTURE, 'dupHeaders', rng()).toString('latin1');
    expect(splitMail(Buffer.from(dup, 'latin1')).head.toString('latin1').split(/\r?\n/).length).toBeGreaterThan(splitMail(FIXTURE).head.toString('latin1').split(/\r?\n/).length);
    expect(applyMutation(FIXTURE, 'crlfMix', rng()).toString('latin1')).toMatch(/[^\r]\n/);
  });

  it('builds the structural monsters to size', () => {
    const max = 25 * 1024 * 1024;
    expect(withAttachment(max + 1024).length).toBe(max + 1024);
    expect(withAttachment(max - 1024).length).toBe(max - 1024);
    expect(manyParts(10_000).toString('latin1').match(/^--b-many-parts\r$/gm)).toHaveLength(10_000);
    expect(deepNesting(200).toString('latin1').match(/multipart\/mixed/g)).toHaveLength(200);
    const header = hugeHeaderLine(FIXTURE, 1024 * 1024);
    expect(header.toString('latin1').split(/\r?\n/)[0]!.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(splitMail(hugeSingleLine(2 * 1024 * 1024)).body.length).toBe(2 * 1024 * 1024);
    expect(splitMail(pathologicalHtml(1000, '<!--')).body.toString()).toBe('<!--'.repeat(250));
  });
});
